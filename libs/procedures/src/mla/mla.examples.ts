import type { MessageTypeOf } from '../catalogue.js';

export const sha = 'a'.repeat(64);

export const suspect = {
  names: { familyNames: ['Hoxha'], aliases: ['Dino'] },
  nationalities: ['AL'],
  roles: ['suspect'],
};

export const request = {
  requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'Bureau de l’entraide pénale internationale' },
  proceeding: {
    subjectMatter: 'Trafficking in persons for sexual exploitation',
    nature: 'investigation',
    conductingAuthority: { name: 'Tribunal judiciaire de Paris', functions: 'investigating judge' },
  },
  summaryOfFacts: 'Between 2024 and 2025 women were recruited with false job offers.',
  assistanceSought: ['taking-evidence', 'documents-records'],
  persons: [suspect],
  purpose: 'Evidence for the prosecution of the network',
  legalBasis: { kind: 'untoc-18-7' },
  offence: {
    action: 'recruitment and transportation',
    means: 'deception',
    purpose: 'sexual exploitation',
    childVictim: false,
  },
  urgency: { urgent: true, reasons: 'the suspects are about to leave the country' },
  suggestedDeadline: { date: '2026-09-01', reasons: 'trial scheduled in October' },
  confidentialityRequested: true,
};

/** A valid body of every mla message type: tests start from these and vary them. */
export const VALID_BODIES: Record<MessageTypeOf<'mla'>, Record<string, unknown>> = {
  request,
  acknowledgement: { receivedAt: '2026-03-02T09:00:00Z', reference: 'RO-2026-114' },
  'additional-information-request': { questions: ['Which bank holds the account?'] },
  'additional-information': { information: 'The account is held at Banca X.' },
  'progress-inquiry': { question: 'When will the witness be heard?' },
  'progress-answer': { summary: 'Hearing set for 3 May', executionUnderWay: true },
  'partial-execution': {
    summary: 'Bank records obtained',
    evidence: [{ name: 'records.pdf', sha256: sha }],
    outstanding: 'The witness hearing',
  },
  'execution-result': { summary: 'All done', evidence: [{ name: 'hearing.pdf', sha256: sha }] },
  postponement: {
    reasons: 'Execution would interfere with our ongoing investigation',
    consultationReference: '01960000-0000-7000-8000-000000000001',
    until: '2026-06-30',
  },
  consultation: { topic: 'possible-refusal', text: 'Could the hearing be held by video link?' },
  refusal: {
    grounds: ['essential-interests'],
    reasons: 'The hearing would endanger a protected witness',
    consultationReference: '01960000-0000-7000-8000-000000000002',
  },
  withdrawal: { reasons: 'Proceedings discontinued' },
  'no-longer-required': {},
  'confidentiality-impossible': { reasons: 'Our law requires notifying the account holder' },
};
