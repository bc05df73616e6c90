import type { MessageTypeOf } from '../catalogue.js';

export const ref = (name: string) => ({ name, sha256: 'd'.repeat(64) });

export const account = {
  reference: 'A1',
  kind: 'bank-account',
  description: 'Current account',
  identifiers: ['IT60X0542811101000000123456'],
  location: 'Banca X, Milano',
  estimatedValue: { amount: 182000, currency: 'EUR' },
  holder: 'Hoxha Trading SRL',
};

export const base = {
  requestingAuthority: { id: 'FR-MOJ-AGRASC', name: 'AGRASC' },
  proceeding: {
    subjectMatter: 'Proceeds of trafficking in persons',
    nature: 'prosecution',
    conductingAuthority: { name: 'Parquet de Paris', functions: 'prosecutor' },
  },
  summaryOfFacts: 'Proceeds of exploitation were transferred to Italy.',
  persons: [{ names: { familyNames: ['Hoxha'] }, roles: ['suspect'] }],
  legalBasis: { kind: 'bilateral-treaty', instrument: 'FR-IT MLA convention' },
};

/** A valid body of every assets message type: tests start from these and vary them. */
export const VALID_BODIES: Record<MessageTypeOf<'assets'>, Record<string, unknown>> = {
  identify: { ...base, actionsRequested: 'Identify accounts held by the suspect' },
  trace: { ...base, actionsRequested: 'Trace transfers from account A1', assets: [account] },
  freeze: {
    ...base,
    actionsRequested: 'Freeze account A1',
    assets: [account],
    urgency: { urgent: true, reasons: 'Funds move daily' },
    urgentFreezing: true,
  },
  seize: {
    ...base,
    actionsRequested: 'Seize the vehicle',
    assets: [{ kind: 'vehicle', description: 'BMW X5' }],
  },
  confiscate: { ...base, assets: [account], confiscationOrder: ref('order.pdf') },
  'enforce-foreign-order': {
    ...base,
    order: ref('order.pdf'),
    extentOfExecution: 'The full balance of account A1',
    assets: [account],
  },
  acknowledgement: { receivedAt: '2026-05-01T08:00:00Z' },
  'freezing-confirmation': {
    frozenAt: '2026-05-01T11:42:00+02:00',
    assets: [
      {
        assetReference: 'A1',
        description: 'Account',
        frozenAt: '2026-05-01T11:42:00+02:00',
        amount: { amount: 181500.5, currency: 'EUR' },
      },
    ],
  },
  answer: { answersRequest: 'identify', outcome: 'identified', assets: [account] },
  disposal: {
    victimCompensationConsidered: true,
    allocations: [
      { recipient: 'victim-compensation', amount: { amount: 120000, currency: 'EUR' } },
      { recipient: 'requesting-state', amount: { amount: 61500.5, currency: 'EUR' } },
    ],
    disposedOn: '2027-01-15',
  },
  refusal: { grounds: ['de-minimis'], reasons: 'The balance is below the threshold' },
  withdrawal: { reasons: 'Assets released by the trial court' },
};
