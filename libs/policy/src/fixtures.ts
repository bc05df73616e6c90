import type { Procedure } from '#libs/kernel';
import { categoriesOf } from '#libs/procedures';
import type { PersonFacts } from './facts.js';
import type { PartyRef, PolicyInput } from './input.js';

/*
 * Builders for the policy's tests: schema-valid bodies (their categories come from the real
 * `categoriesOf`, which validates them) and a clean baseline for each kind of message, so that a
 * test changes one fact and sees one rule.
 */

export const NOW = new Date('2026-03-02T10:00:00Z');

export const FR_CENTRAL: PartyRef = {
  authorityId: 'FR-MOJ-BEPI',
  state: 'FR',
  kind: 'central-authority',
};
export const FR_REPATRIATION: PartyRef = {
  authorityId: 'FR-MI-DGEF',
  state: 'FR',
  kind: 'repatriation',
};
export const RO_CENTRAL: PartyRef = {
  authorityId: 'RO-MJ-DDI',
  state: 'RO',
  kind: 'central-authority',
};
export const RO_REPATRIATION: PartyRef = {
  authorityId: 'RO-MAI-IGI',
  state: 'RO',
  kind: 'repatriation',
};
/** An embassy of Romania in Paris: an authority of RO. */
export const RO_EMBASSY: PartyRef = { authorityId: 'RO-MAE-PARIS', state: 'RO', kind: 'embassy' };
export const DE_CENTRAL: PartyRef = {
  authorityId: 'DE-BFJ-IRZ',
  state: 'DE',
  kind: 'central-authority',
};
export const NG_CENTRAL: PartyRef = {
  authorityId: 'NG-MOJ-CA',
  state: 'NG',
  kind: 'central-authority',
};
export const FR_PUBLIC: PartyRef = { authorityId: 'FR-PUB-JO', state: 'FR', kind: 'public' };

export type Body = Record<string, unknown>;

export function person(overrides: Body = {}): Body {
  return {
    reference: 'P1',
    names: { givenNames: ['Ana'], familyNames: ['Popescu'] },
    dateOfBirth: '1995-04-02',
    nationalities: ['RO'],
    roles: ['victim'],
    ...overrides,
  };
}

export function mlaRequest(persons: Body[] = [], overrides: Body = {}): Body {
  return {
    requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
    proceeding: {
      subjectMatter: 'Trafficking in human beings',
      nature: 'investigation',
      conductingAuthority: {
        name: 'Tribunal judiciaire de Paris',
        functions: 'investigating judge',
      },
    },
    summaryOfFacts: 'Recruitment in Iasi, exploitation in Paris.',
    assistanceSought: ['documents-records'],
    purpose: 'Evidence for the prosecution of the recruiters',
    legalBasis: { kind: 'untoc-18-7' },
    offence: {
      action: 'recruitment',
      means: 'deception',
      purpose: 'sexual exploitation',
      childVictim: false,
    },
    ...(persons.length > 0 && { persons }),
    ...overrides,
  };
}

export function verificationRequest(subject: Body = {}, overrides: Body = {}): Body {
  return {
    person: {
      names: { givenNames: ['Ana'], familyNames: ['Popescu'] },
      dateOfBirth: '1995-04-02',
      placeOfBirth: 'Iasi',
      nationalities: ['RO'],
      roles: ['victim'],
      ...subject,
    },
    agreementId: 'EU-RO-READMISSION',
    ...overrides,
  };
}

/** The facts of an adult whose return every rule allows. */
export function safeReturnee(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    personIndex: 0,
    subjectOfCase: true,
    nationalities: ['RO'],
    countryOfOrigin: 'RO',
    asylum: { status: 'none', shieldFrom: [] },
    riskAssessment: {
      done: true,
      at: '2026-02-20T09:00:00Z',
      outcome: 'no-risk',
      reference: 'RA-1',
    },
    openProceedings: [],
    victim: true,
    returnVoluntary: true,
    identityProtectiveMeasures: 'PM-7',
    ...overrides,
  };
}

/** A message, its categories computed by the procedures library (which validates the body). */
export function message(
  procedure: Procedure,
  messageType: string,
  body: Body,
  overrides: Partial<PolicyInput> = {},
): PolicyInput {
  return {
    channel: 'new-request',
    procedure,
    messageType,
    sender: FR_CENTRAL,
    recipient: DE_CENTRAL,
    body,
    categories: categoriesOf(procedure, messageType, body),
    facts: {},
    now: NOW,
    ...overrides,
  };
}

/** A nationality verification request from France to Romania for a returnee every rule allows. */
export function safeVerification(
  facts: Partial<PersonFacts> = {},
  overrides: Partial<PolicyInput> = {},
): PolicyInput {
  return message('nationality-verification', 'verification-request', verificationRequest(), {
    sender: FR_REPATRIATION,
    recipient: RO_REPATRIATION,
    facts: { persons: [safeReturnee(facts)] },
    ...overrides,
  });
}

/** A travel-document request: it names nobody, the case subject is the returnee. */
export function travelDocumentRequest(
  facts: Partial<PersonFacts> = {},
  overrides: Partial<PolicyInput> = {},
): PolicyInput {
  return message(
    'nationality-verification',
    'travel-document-request',
    { documentType: 'emergency-travel-document' },
    {
      sender: FR_REPATRIATION,
      recipient: RO_REPATRIATION,
      facts: { agreementId: 'EU-RO-READMISSION', persons: [safeReturnee(facts)] },
      ...overrides,
    },
  );
}
