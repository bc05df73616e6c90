import { v7 as uuidv7 } from 'uuid';
import type { EnvelopePayload } from '#libs/envelope';
import { minimalPdf } from './pdf.js';

/**
 * Sample bodies for the four procedures, valid against their schemas: used by the demo, the
 * benchmarks and the end-to-end tests. Names and references are fictitious.
 */
const digest = (seed: string) => seed.repeat(64).slice(0, 64);

export const SAMPLE_HANDLING = {
  permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0147 (trafficking in persons)',
  confidential: true,
  noOnwardTransferTo: [],
};

export function mlaRequest(requestingAuthority: string) {
  return {
    requestingAuthority: {
      id: requestingAuthority,
      name: 'Bureau de l’entraide pénale internationale',
    },
    proceeding: {
      subjectMatter: 'Trafficking in persons for sexual exploitation',
      nature: 'investigation',
      conductingAuthority: {
        name: 'Tribunal judiciaire de Paris',
        functions: 'investigating judge',
      },
    },
    summaryOfFacts:
      'Recruiters in Benin City arranged travel to France through Libya and Italy; victims were exploited in Paris.',
    assistanceSought: ['taking-evidence', 'documents-records'],
    persons: [
      {
        names: { familyNames: ['Okoro'], givenNames: ['Sunday'] },
        nationalities: ['NG'],
        roles: ['suspect'],
      },
    ],
    purpose: 'Evidence for the prosecution of the recruiters',
    legalBasis: { kind: 'untoc-18-7' },
    offence: {
      action: 'recruitment and transportation',
      means: 'deception',
      purpose: 'sexual exploitation',
      childVictim: false,
    },
    urgency: { urgent: false },
    suggestedDeadline: {
      date: new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10),
      reasons: 'The trial is listed four months from now',
    },
    confidentialityRequested: true,
  };
}

/**
 * The payload of an MLA request envelope from `sender` to `recipient`, as the sender's node would
 * seal it: for tests and benchmarks that seal envelopes themselves (forged, oversized, replayed).
 */
export function mlaEnvelope(
  sender: string,
  recipient: string,
  overrides: Partial<EnvelopePayload> = {},
): EnvelopePayload {
  const messageId = uuidv7();
  return {
    formatVersion: 1,
    messageId,
    procedure: 'mla',
    messageType: 'request',
    requestId: messageId,
    deadlineProfiles: [],
    sender,
    recipient,
    createdAt: new Date().toISOString(),
    inReplyTo: null,
    caseReference: 'FR-PNAT-2026-0200',
    handling: { permittedPurpose: 'test', confidential: false, noOnwardTransferTo: [] },
    body: mlaRequest(sender),
    attachments: [],
    ...overrides,
  };
}

export const MLA_ANSWERS = {
  acknowledgement: (reference: string) => ({ receivedAt: new Date().toISOString(), reference }),
  additionalInformationRequest: { questions: ['Which bank holds the account of the suspect?'] },
  additionalInformation: { information: 'The account is held at First Bank, Lagos.' },
  progressAnswer: { summary: 'Witness hearing scheduled', executionUnderWay: true },
  executionResult: {
    summary: 'Statements taken and bank records obtained',
    evidence: [{ name: 'records.pdf', sha256: digest('a') }],
  },
  consultation: {
    topic: 'possible-refusal',
    text: 'Could the hearing be held by video link instead?',
  },
  refusal: (consultationReference: string) => ({
    grounds: ['essential-interests'],
    reasons: 'The hearing would endanger a protected witness',
    consultationReference,
  }),
  postponement: (consultationReference: string) => ({
    reasons: 'Execution would interfere with an ongoing investigation',
    consultationReference,
    until: '2027-06-30',
  }),
};

export function verificationRequest(agreementId: string) {
  return {
    person: {
      names: { givenNames: ['Blessing'], familyNames: ['Eze'] },
      sex: 'female',
      dateOfBirth: '1998-06-02',
      placeOfBirth: 'Benin City',
      nationalities: ['NG'],
      documents: [
        {
          kind: 'passport',
          number: 'A0000000',
          issuingState: 'NG',
          copy: { name: 'passport.jpg', sha256: digest('c') },
        },
      ],
    },
    photographReference: { name: 'photo.jpg', sha256: digest('c') },
    agreementId,
    accelerated: false,
  };
}

export const VERIFICATION_ANSWERS = {
  answer: { outcome: 'national', registryReference: 'NG-NIMC-2026-884' },
  travelDocumentRequest: {
    documentType: 'emergency-travel-document',
    photographReference: { name: 'photo.jpg', sha256: digest('c') },
  },
  travelDocumentIssued: () => ({
    documentType: 'emergency-travel-document',
    documentNumber: 'ETD-2026-0419',
    issuedOn: new Date().toISOString().slice(0, 10),
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
  }),
};

const asset = {
  reference: 'A1',
  kind: 'bank-account',
  description: 'Current account of the recruiter',
  identifiers: ['IT60X0542811101000000123456'],
  location: 'Banca X, Milano',
  estimatedValue: { amount: 182000, currency: 'EUR' },
  holder: 'Okoro Trading SRL',
};

/**
 * A freezing certificate (Reg. (EU) 2018/1805), marked urgent unless told otherwise: the urgent
 * one runs the 48-hour clocks of art. 9, the other the executing State's service level.
 */
export function freezeRequest(
  requestingAuthority: string,
  { urgentFreezing = true }: { urgentFreezing?: boolean } = {},
) {
  return {
    requestingAuthority: {
      id: requestingAuthority,
      name: 'Bureau de l’entraide pénale internationale',
    },
    proceeding: {
      subjectMatter: 'Proceeds of trafficking in persons',
      nature: 'prosecution',
      conductingAuthority: { name: 'Parquet de Paris', functions: 'prosecutor' },
    },
    summaryOfFacts: 'Proceeds of exploitation in Paris were transferred to an account in Milan.',
    persons: [{ names: { familyNames: ['Okoro'] }, roles: ['suspect'] }],
    legalBasis: { kind: 'bilateral-treaty', instrument: 'Regulation (EU) 2018/1805' },
    actionsRequested: 'Freeze account A1',
    assets: [asset],
    urgency: urgentFreezing ? { urgent: true, reasons: 'Funds move daily' } : { urgent: false },
    urgentFreezing,
  };
}

export const ASSET_ANSWERS = {
  acknowledgement: () => ({ receivedAt: new Date().toISOString() }),
  freezingConfirmation: () => {
    const frozenAt = new Date().toISOString();
    return {
      frozenAt,
      assets: [
        {
          assetReference: 'A1',
          description: 'Account',
          frozenAt,
          amount: { amount: 181500.5, currency: 'EUR' },
        },
      ],
    };
  },
};

export function jitProposal(parties: string[]) {
  return {
    proposedParties: parties,
    purpose: 'A joint team on the Benin City – Paris – Milan network',
    summary: 'Parallel investigations in three States',
  };
}

export function jitAgreement(parties: string[]) {
  const today = new Date();
  return {
    parties,
    legalBasis: 'UNTOC art. 19',
    purpose:
      'Dismantle the network recruiting women in Nigeria for exploitation in France and Italy',
    leader: { authorityId: parties[0], name: 'Claire Martin', role: 'leader' },
    members: parties.map((authorityId, i) => ({
      authorityId,
      name: ['Claire Martin', 'Ngozi Adeyemi', 'Marco Rossi'][i] ?? `Member ${i + 1}`,
      role: 'prosecutor',
    })),
    duration: {
      start: today.toISOString().slice(0, 10),
      end: new Date(today.getTime() + 180 * 86_400_000).toISOString().slice(0, 10),
    },
    extensionTerms: 'Extended by written agreement of all parties, six months at a time',
    informationExchange: 'Through the gateway; each party keeps its own record',
    tasks: parties.map((authorityId) => ({ authorityId, tasks: 'Investigation on its territory' })),
    childVictimsInvolved: false,
  };
}

export const JIT_MESSAGES = {
  acceptance: (signatory: string) => ({
    signatory,
    signedOn: new Date().toISOString().slice(0, 10),
  }),
  operational: {
    subject: 'Surveillance',
    text: 'The recruiter travelled from Lagos to Milan this morning.',
  },
};

/**
 * Files the demo sends beside its messages, fictitious and innocuous for the safeguards: nothing
 * on asylum or protection (W-6, H-1), no one in the protected-persons register.
 */
export const SAMPLE_FILES = {
  /** A scan-like extract of the birth certificate of the person a verification request names. */
  birthCertificate: (person: ReturnType<typeof verificationRequest>['person']) => ({
    content: minimalPdf([
      'Copy of birth certificate - extract',
      'National Population Commission, Edo State registry',
      `Name: ${person.names.givenNames.join(' ')} ${person.names.familyNames.join(' ')}`,
      `Sex: ${person.sex}`,
      `Date of birth: ${person.dateOfBirth}`,
      `Place of birth: ${person.placeOfBirth}`,
      'Registration number: ES/BC/1998/004417',
      'Certified true copy of the extract held in the case file',
    ]),
    meta: {
      filename: 'birth-certificate-extract.pdf',
      filetype: 'application/pdf',
      category: 'identity-document',
    },
  }),
  /** The log of a surveillance operation of a joint investigation team. */
  surveillanceLog: () => ({
    content: new TextEncoder().encode(
      [
        'Surveillance log, operation BENIN-MILAN',
        '06:10 The recruiter left his address in Lagos by taxi.',
        '07:45 Check-in at Murtala Muhammed International Airport, flight to Milan Malpensa.',
        '15:20 Arrival at Malpensa, met by a man driving a grey van (plate noted in the file).',
        '',
      ].join('\n'),
    ),
    meta: {
      filename: 'surveillance-log.txt',
      filetype: 'text/plain',
      category: 'evidence-item',
    },
  }),
};
