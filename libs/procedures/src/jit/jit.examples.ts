import type { MessageTypeOf } from '../catalogue.js';

export const FR = 'FR-MOJ-BEPI';
export const RO = 'RO-PICCJ-DIICOT';
export const IT = 'IT-DNA';
export const DE = 'DE-BKA';

export const agreement = {
  parties: [FR, RO, IT],
  legalBasis: 'UNTOC art. 19; Council Framework Decision 2002/465/JHA',
  purpose:
    'Dismantle the network recruiting women from Romania for exploitation in France and Italy',
  leader: { authorityId: FR, name: 'Claire Martin', role: 'leader' },
  members: [
    { authorityId: FR, name: 'Claire Martin', role: 'prosecutor' },
    { authorityId: RO, name: 'Ion Popa', role: 'prosecutor' },
    { authorityId: IT, name: 'Marco Rossi', role: 'liaison officer' },
  ],
  duration: { start: '2026-04-01', end: '2026-09-30' },
  extensionTerms: 'Extended by written agreement of all parties, six months at a time',
  informationExchange: 'Through the gateway; each party keeps its own record',
  tasks: [
    { authorityId: FR, tasks: 'Financial investigation' },
    { authorityId: RO, tasks: 'Recruitment side' },
    { authorityId: IT, tasks: 'Exploitation sites' },
  ],
  childVictimsInvolved: true,
  childVictimsClause: 'Child victims are heard once, by video link, with a guardian present',
};

export const sha = 'b'.repeat(64);

/** A valid body of every jit message type: tests start from these and vary them. */
export const VALID_BODIES: Record<MessageTypeOf<'jit'>, Record<string, unknown>> = {
  proposal: {
    proposedParties: [FR, RO, IT],
    purpose: 'A joint team on the network',
    summary: 'Parallel investigations in three States',
  },
  agreement,
  acceptance: { signatory: 'Ion Popa', signedOn: '2026-03-20' },
  'operational-message': { subject: 'Surveillance', text: 'The van left Bucharest at 06:00' },
  'action-approval-request': {
    actionId: 'A1',
    territoryState: 'RO',
    description: 'Controlled delivery through Constanța',
    plannedFrom: '2026-05-02T06:00:00+03:00',
  },
  'action-approval': { actionId: 'A1', approved: true, conditions: 'Romanian officers lead' },
  'evidence-item': {
    itemId: 'E-17',
    description: 'Phone extraction',
    sha256: sha,
    signer: { authorityId: RO, name: 'Ion Popa' },
    chainOfCustody: [{ at: '2026-05-03T10:00:00Z', by: 'Ion Popa', action: 'seized' }],
  },
  extension: { newEnd: '2027-03-31', reasons: 'New suspects identified' },
  closure: { closedOn: '2027-03-31', reasons: 'Objective reached' },
};
