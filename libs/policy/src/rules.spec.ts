import { RULE_IDS, RULES_CATALOGUE, type RuleId } from './catalogue.js';
import type { FindingSeverity } from './decision.js';
import { evaluate, policyError } from './engine.js';
import { explain } from './explain.js';
import {
  DE_CENTRAL,
  FR_CENTRAL,
  FR_PUBLIC,
  FR_REPATRIATION,
  message,
  mlaRequest,
  NG_CENTRAL,
  person,
  RO_CENTRAL,
  RO_EMBASSY,
  RO_REPATRIATION,
  safeReturnee,
  safeVerification,
  travelDocumentRequest,
  verificationRequest,
} from './fixtures.js';
import type { PolicyInput } from './input.js';

/*
 * Table-driven: every rule id of domain.md section 4 (and HC-1) with cases that leave it silent
 * and cases that make it block, warn or redact. Each case asserts the rule's legal basis in the
 * finding and in the explanation.
 */

interface RuleCase {
  readonly rule: RuleId;
  readonly name: string;
  readonly input: () => PolicyInput;
  /** `none`: the rule finds nothing (notes aside). Otherwise the severity it must find. */
  readonly expected: 'none' | FindingSeverity;
  readonly outcome?: 'allow' | 'allow-with-redactions' | 'warn' | 'block';
  /** Fields the rule's findings must name. */
  readonly fields?: readonly string[];
}

const shieldedFromRo = { asylum: { status: 'pending' as const, shieldFrom: [] } };

const jitOperational = (territoryState: string, actionId = 'A-1') => ({
  subject: 'Search of premises',
  text: 'Search of the premises of the recruiters on 5 March.',
  territoryState,
  actionId,
});

const disposal = (overrides: Record<string, unknown> = {}) => ({
  victimCompensationConsidered: true,
  allocations: [{ recipient: 'victim-compensation', amount: { amount: 25000, currency: 'EUR' } }],
  disposedOn: '2026-03-01',
  ...overrides,
});

const proceedingOf = (body: Record<string, unknown>) => body.proceeding as Record<string, unknown>;

/** A finding of the scanner's `prosecution-or-detention` topic, as `scanBody` reports it. */
const prosecutionFinding = (field: string, match: string, index = 0) => ({
  field,
  language: 'en',
  term: 'prosecution of',
  topic: 'prosecution-or-detention' as const,
  index,
  match,
});

const health = { information: 'HIV positive, under treatment', consentReference: 'C-1' };

const CASES: RuleCase[] = [
  // H-1: asylum confidentiality
  {
    rule: 'H-1',
    name: 'blocks a verification request to the country of a person with a pending claim',
    input: () => safeVerification(shieldedFromRo),
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'H-1',
    name: 'blocks an MLA request naming a register hit to the State it shields from, with no asylum data',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_CENTRAL,
        registerHits: [{ personIndex: 0, shieldFrom: ['RO'] }],
      }),
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'H-1',
    name: 'blocks an MLA request whose free text names a register hit, citing the field',
    input: () =>
      message('mla', 'request', mlaRequest([]), {
        recipient: RO_CENTRAL,
        registerHits: [{ personIndex: 0, shieldFrom: ['RO'], field: '$.summaryOfFacts' }],
      }),
    expected: 'block',
    outcome: 'block',
    fields: ['$.summaryOfFacts'],
  },
  {
    rule: 'H-1',
    name: 'blocks a contact with the embassy (in Paris) of the State the person fled',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_EMBASSY,
        facts: { persons: [{ personKey: 'P1', ...shieldedFromRo }] },
      }),
    expected: 'block',
  },
  {
    rule: 'H-1',
    name: 'blocks protection data sent to the nationality of the refugee',
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([
          person({ nationalities: ['NG'], protectionStatus: 'refugee', roles: ['witness'] }),
        ]),
        { recipient: NG_CENTRAL },
      ),
    expected: 'block',
  },
  {
    rule: 'H-1',
    name: 'blocks free text mentioning asylum to a State a case person is shielded from',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        recipient: RO_CENTRAL,
        facts: { persons: [{ label: 'V-2', nationalities: ['RO'], ...shieldedFromRo }] },
        textFindings: [{ field: 'body.summaryOfFacts', language: 'en', term: 'asylum' }],
      }),
    expected: 'block',
  },
  {
    rule: 'H-1',
    name: 'lets protection data go to a State no one must be shielded from',
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([
          person({ nationalities: ['NG'], protectionStatus: 'refugee', roles: ['witness'] }),
        ]),
        { recipient: DE_CENTRAL },
      ),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'H-1',
    name: 'lets a verification request go when no claim was made',
    input: () => safeVerification(),
    expected: 'none',
    outcome: 'allow',
  },
  // H-2: victim identity and location
  {
    rule: 'H-2',
    name: "removes a victim's last known location",
    input: () =>
      message('mla', 'request', mlaRequest([person({ lastKnownLocation: 'Shelter, Paris 11e' })]), {
        facts: { persons: [{ personKey: 'P1', identityProtectiveMeasures: 'PM-1' }] },
      }),
    expected: 'redact',
    outcome: 'allow-with-redactions',
  },
  {
    rule: 'H-2',
    name: "blocks a victim's identity to a public recipient",
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        channel: 'evidence-export',
        recipient: FR_PUBLIC,
      }),
    expected: 'block',
  },
  {
    rule: 'H-2',
    name: "leaves a suspect's last known location",
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([person({ roles: ['suspect'], lastKnownLocation: 'Rue de la Gare, Lyon' })]),
      ),
    expected: 'none',
    outcome: 'allow',
  },
  // H-3: open proceedings
  {
    rule: 'H-3',
    name: 'blocks a return while the person is a witness in open criminal proceedings',
    input: () =>
      safeVerification({ openProceedings: [{ kind: 'criminal', role: 'witness', open: true }] }),
    expected: 'block',
  },
  {
    rule: 'H-3',
    name: 'blocks a travel-document request while a compensation claim is open',
    input: () => travelDocumentRequest({ compensationClaimOpen: true }),
    expected: 'block',
  },
  {
    rule: 'H-3',
    name: "allows the return on the person's own request signed off by their lawyer",
    input: () =>
      safeVerification({
        openProceedings: [
          {
            kind: 'criminal',
            role: 'victim',
            releaseRequestedByPerson: 'REQ-12',
            lawyerSignOff: 'LAW-12',
          },
        ],
      }),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'H-3',
    name: 'ignores closed proceedings',
    input: () =>
      safeVerification({ openProceedings: [{ kind: 'civil', role: 'claimant', open: false }] }),
    expected: 'none',
  },
  // H-4: risk assessment, non-refoulement, pending claim, reflection period
  {
    rule: 'H-4',
    name: 'blocks a return without a risk assessment',
    input: () => safeVerification({ riskAssessment: undefined }),
    expected: 'block',
  },
  {
    rule: 'H-4',
    name: 'blocks a return while a non-refoulement risk is open',
    input: () => safeVerification({ nonRefoulementRiskOpen: true }),
    expected: 'block',
  },
  {
    rule: 'H-4',
    name: 'blocks a return during the reflection period',
    input: () => travelDocumentRequest({ reflectionPeriod: { until: '2026-03-15' } }),
    expected: 'block',
  },
  {
    rule: 'H-4',
    name: 'blocks a return while an appeal against the rejection is possible',
    input: () => safeVerification({ asylum: { status: 'rejected-appealable', shieldFrom: [] } }),
    expected: 'block',
  },
  {
    rule: 'H-4',
    name: 'blocks a travel-document request whose returnee the case does not identify',
    input: () => ({ ...travelDocumentRequest(), facts: { agreementId: 'EU-RO-READMISSION' } }),
    expected: 'block',
  },
  {
    rule: 'H-4',
    name: 'blocks a return of a person the register holds with a claim pending',
    input: () =>
      message(
        'nationality-verification',
        'verification-request',
        verificationRequest({ nationalities: undefined }),
        {
          sender: FR_REPATRIATION,
          recipient: RO_REPATRIATION,
          facts: { persons: [safeReturnee({ nationalities: [], countryOfOrigin: undefined })] },
          registerHits: [{ personIndex: 0, shieldFrom: ['SY'], claimPending: true }],
        },
      ),
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'H-4',
    name: 'lets a register hit (shielding only) leave a return to another State to the facts',
    input: () =>
      message(
        'nationality-verification',
        'verification-request',
        verificationRequest({ nationalities: undefined }),
        {
          sender: FR_REPATRIATION,
          recipient: RO_REPATRIATION,
          facts: { persons: [safeReturnee({ nationalities: [], countryOfOrigin: undefined })] },
          registerHits: [{ personIndex: 0, shieldFrom: ['SY'] }],
        },
      ),
    expected: 'none',
  },
  {
    rule: 'H-4',
    name: 'allows a return after a concluded assessment, the reflection period over',
    input: () => safeVerification({ reflectionPeriod: { until: '2026-02-01' } }),
    expected: 'none',
    outcome: 'allow',
  },
  // H-5: children
  {
    rule: 'H-5',
    name: 'blocks the return of a child without the four records',
    input: () =>
      message(
        'nationality-verification',
        'verification-request',
        verificationRequest({ dateOfBirth: '2012-06-01', roles: ['victim', 'child'] }),
        { recipient: RO_CENTRAL, facts: { persons: [safeReturnee()] } },
      ),
    expected: 'block',
  },
  {
    rule: 'H-5',
    name: 'blocks the return of a person born in 2008 (age uncertain, may be 17)',
    input: () =>
      message(
        'nationality-verification',
        'verification-request',
        verificationRequest({ dateOfBirth: '2008' }),
        { recipient: RO_CENTRAL, facts: { persons: [safeReturnee()] } },
      ),
    expected: 'block',
  },
  {
    rule: 'H-5',
    name: 'blocks when the guardian is not independent of the requesting agency',
    input: () =>
      safeVerification({
        child: {
          isChild: true,
          bestInterestsDetermination: 'BID-3',
          guardian: { reference: 'G-3', independentOfRequestingAgency: false },
          viewsRecorded: 'VIEWS-3',
          familyAssessment: 'FAM-3',
        },
      }),
    expected: 'block',
  },
  {
    rule: 'H-5',
    name: 'allows the return of a child with all four records',
    input: () =>
      safeVerification({
        child: {
          isChild: true,
          bestInterestsDetermination: 'BID-3',
          guardian: { reference: 'G-3', independentOfRequestingAgency: true },
          viewsRecorded: 'VIEWS-3',
          familyAssessment: 'FAM-3',
        },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  // H-6: no conditionality
  {
    rule: 'H-6',
    name: 'blocks a message making residence depend on cooperation',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        declarations: { conditionalOnCooperation: ['residence'] },
      }),
    expected: 'block',
  },
  {
    rule: 'H-6',
    name: 'blocks free text the scanner finds conditioning assistance on testimony',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        textFindings: [
          {
            field: 'body.summaryOfFacts',
            language: 'fr',
            term: 'sous réserve de sa coopération',
            topic: 'cooperation-conditionality',
          },
        ],
      }),
    expected: 'block',
  },
  {
    rule: 'H-6',
    name: 'lets an ordinary request go',
    input: () => message('mla', 'request', mlaRequest()),
    expected: 'none',
    outcome: 'allow',
  },
  // H-7: non-punishment
  {
    rule: 'H-7',
    name: 'blocks a request naming a victim as suspect of a status offence',
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([
          person({
            roles: ['victim', 'suspect'],
            criminalRecord: [{ offence: 'Use of a false passport', statusOffence: true }],
          }),
        ]),
      ),
    expected: 'block',
  },
  {
    rule: 'H-7',
    name: 'blocks a request declared to seek the detention of a victim with status offences',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        facts: {
          persons: [{ personKey: 'P1', statusOffences: true, identityPseudonymised: true }],
        },
        declarations: { prosecutionOrDetentionOf: ['P1'] },
      }),
    expected: 'block',
  },
  {
    rule: 'H-7',
    name: "leaves a victim's status offences mentioned as context",
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([
          person({ criminalRecord: [{ offence: 'Irregular entry', statusOffence: true }] }),
        ]),
      ),
    expected: 'none',
  },
  {
    rule: 'H-7',
    name: 'blocks a request whose subject matter seeks the prosecution of a victim, undeclared',
    input: () => {
      const subjectMatter = 'Prosecution of Ms Ana Popescu for the use of a forged passport';
      return message(
        'mla',
        'request',
        mlaRequest([person({ criminalRecord: [{ offence: 'Forgery', statusOffence: true }] })], {
          proceeding: { ...proceedingOf(mlaRequest()), subjectMatter },
        }),
        {
          facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
          textFindings: [prosecutionFinding('$.proceeding.subjectMatter', 'Prosecution of Ms ')],
        },
      );
    },
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'H-7',
    name: 'leaves the prosecution of the recruiters of a victim to the recruiters',
    input: () => {
      const subjectMatter = 'Prosecution of the recruiters of Ana Popescu';
      return message(
        'mla',
        'request',
        mlaRequest([person({ criminalRecord: [{ offence: 'Forgery', statusOffence: true }] })], {
          proceeding: { ...proceedingOf(mlaRequest()), subjectMatter },
        }),
        {
          facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
          textFindings: [prosecutionFinding('$.proceeding.subjectMatter', 'Prosecution of the ')],
        },
      );
    },
    expected: 'none',
  },
  {
    rule: 'H-7',
    name: 'reads a summary of facts as a narrative, not as what the request seeks',
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([person({ criminalRecord: [{ offence: 'Forgery', statusOffence: true }] })], {
          summaryOfFacts: 'After the arrest of Ana Popescu at the border, she was identified.',
        }),
        {
          facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
          textFindings: [prosecutionFinding('$.summaryOfFacts', 'arrest of ', 10)],
        },
      ),
    expected: 'none',
  },
  // H-8: compensation survives return
  {
    rule: 'H-8',
    name: 'blocks a message ending a compensation claim because the victim returned',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        declarations: { compensationClaimClosure: { person: 'P1', ground: 'return' } },
      }),
    expected: 'block',
  },
  {
    rule: 'H-8',
    name: 'lets a claim end on another ground',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        declarations: { compensationClaimClosure: { ground: 'other' } },
      }),
    expected: 'none',
  },
  // H-9: JIT actions on a State's territory
  {
    rule: 'H-9',
    name: "blocks an action on Germany's territory its member has not approved",
    input: () =>
      message('jit', 'operational-message', jitOperational('DE'), {
        channel: 'jit-fan-out',
        facts: { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'pending' }] },
      }),
    expected: 'block',
  },
  {
    rule: 'H-9',
    name: 'lets an approved action go',
    input: () =>
      message('jit', 'operational-message', jitOperational('DE'), {
        channel: 'jit-fan-out',
        facts: { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'approved' }] },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'H-9',
    name: "needs no approval on the sender's own territory",
    input: () =>
      message('jit', 'operational-message', jitOperational('FR'), { channel: 'jit-fan-out' }),
    expected: 'none',
  },
  // H-10: health data
  {
    rule: 'H-10',
    name: 'removes health data sent without consent for the purpose',
    input: () =>
      message('mla', 'request', mlaRequest([person({ health })]), {
        purpose: 'prosecution of the recruiters',
        facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
      }),
    expected: 'redact',
    outcome: 'allow-with-redactions',
  },
  {
    rule: 'H-10',
    name: 'removes health data consented for another purpose',
    input: () =>
      message('mla', 'request', mlaRequest([person({ health })]), {
        purpose: 'prosecution of the recruiters',
        facts: {
          persons: [
            {
              personKey: 'P1',
              identityPseudonymised: true,
              consents: [
                { category: 'health', purpose: 'medical care', given: true, reference: 'C-1' },
              ],
            },
          ],
        },
      }),
    expected: 'redact',
  },
  {
    rule: 'H-10',
    name: 'blocks health data it cannot attribute to a person',
    input: () => ({
      ...message('mla', 'request', mlaRequest()),
      categories: new Set(['health' as const, 'intelligence' as const]),
    }),
    expected: 'block',
  },
  {
    rule: 'H-10',
    name: 'sends health data with consent for that purpose',
    input: () =>
      message('mla', 'request', mlaRequest([person({ health })]), {
        purpose: 'prosecution of the recruiters',
        facts: {
          persons: [
            {
              personKey: 'P1',
              identityPseudonymised: true,
              consents: [
                {
                  category: 'health',
                  purpose: 'prosecution of the recruiters',
                  given: true,
                  reference: 'C-1',
                },
              ],
            },
          ],
        },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'H-10',
    name: 'blocks a health attachment without consent (a file cannot be redacted in part)',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        purpose: 'prosecution of the recruiters',
        attachments: [
          {
            position: 0,
            name: 'medical.pdf',
            mediaType: 'application/pdf',
            category: 'health',
            text: 'complete',
          },
        ],
      }),
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'H-10',
    name: 'sends a health attachment every person concerned consented to for the purpose',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        purpose: 'prosecution of the recruiters',
        facts: {
          persons: [
            {
              personKey: 'P1',
              identityPseudonymised: true,
              consents: [
                { category: 'health', purpose: 'prosecution of the recruiters', given: true },
              ],
            },
          ],
        },
        attachments: [
          {
            position: 0,
            name: 'medical.pdf',
            mediaType: 'application/pdf',
            category: 'health',
            text: 'complete',
          },
        ],
      }),
    expected: 'none',
  },
  // B-1: fingerprints only under an agreement
  {
    rule: 'B-1',
    name: 'blocks fingerprints with no agreement recorded',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        attachments: [
          {
            position: 0,
            name: 'prints.png',
            mediaType: 'image/png',
            category: 'fingerprints',
            text: 'binary',
          },
        ],
      }),
    expected: 'block',
    outcome: 'block',
  },
  {
    rule: 'B-1',
    name: 'lets fingerprints go under an agreement recorded for the case',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        facts: { agreementId: 'FR-DE-2019-biometrics' },
        attachments: [
          {
            position: 0,
            name: 'prints.png',
            mediaType: 'image/png',
            category: 'fingerprints',
            text: 'binary',
          },
        ],
      }),
    expected: 'none',
  },
  // HC-1: handling conditions of received content
  {
    rule: 'HC-1',
    name: 'blocks an onward transfer to a State the content excludes',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        channel: 'onward-transfer',
        receivedHandling: { noOnwardTransferTo: ['DE'] },
      }),
    expected: 'block',
  },
  {
    rule: 'HC-1',
    name: 'lets an onward transfer go to another State',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        channel: 'onward-transfer',
        receivedHandling: { noOnwardTransferTo: ['RO'] },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  // W-1: non-voluntary return
  {
    rule: 'W-1',
    name: 'warns when the return is not voluntary',
    input: () => safeVerification({ returnVoluntary: false }),
    expected: 'warn',
    outcome: 'warn',
  },
  {
    rule: 'W-1',
    name: 'warns when voluntariness is not on record',
    input: () => travelDocumentRequest({ returnVoluntary: undefined }),
    expected: 'warn',
  },
  {
    rule: 'W-1',
    name: 'is silent for a voluntary return',
    input: () => safeVerification(),
    expected: 'none',
  },
  // W-2: legal basis
  {
    rule: 'W-2',
    name: 'warns for a request with no legal basis',
    input: () => message('mla', 'request', mlaRequest([], { legalBasis: undefined })),
    expected: 'warn',
    outcome: 'warn',
  },
  {
    rule: 'W-2',
    name: 'is silent when the case records the agreement',
    input: () =>
      message('mla', 'request', mlaRequest([], { legalBasis: undefined }), {
        facts: { agreementId: 'FR-DE-MLA-1959' },
      }),
    expected: 'none',
  },
  {
    rule: 'W-2',
    name: 'is silent for an answer',
    input: () =>
      message(
        'mla',
        'acknowledgement',
        { receivedAt: '2026-03-02T09:00:00Z' },
        { channel: 'answer' },
      ),
    expected: 'none',
  },
  // W-3: victim identity abroad
  {
    rule: 'W-3',
    name: "pseudonymises a victim's identity in a message abroad",
    input: () => message('mla', 'request', mlaRequest([person()])),
    expected: 'redact',
    outcome: 'allow-with-redactions',
  },
  {
    rule: 'W-3',
    name: 'warns when the drafter reveals the identity on a need to know',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        declarations: {
          revealIdentity: [{ person: 'P1', needToKnow: 'the witness is heard by name in court' }],
        },
      }),
    expected: 'warn',
  },
  {
    rule: 'W-3',
    name: 'warns for a verification request, where identity is the point, without protective measures',
    input: () => safeVerification({ identityProtectiveMeasures: undefined }),
    expected: 'warn',
  },
  {
    rule: 'W-3',
    name: 'is silent at home',
    input: () =>
      message('mla', 'request', mlaRequest([person()]), {
        recipient: { authorityId: 'FR-PP-PARIS', state: 'FR', kind: 'prosecution' },
      }),
    expected: 'none',
  },
  // W-4: request targets a victim
  {
    rule: 'W-4',
    name: 'warns when a request targets a victim',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['victim', 'suspect'] })]), {
        facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
      }),
    expected: 'warn',
  },
  {
    rule: 'W-4',
    name: 'warns when a freeze targets the account of a victim (declared)',
    input: () =>
      message(
        'assets',
        'freeze',
        {
          requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
          proceeding: {
            subjectMatter: 'Trafficking',
            nature: 'investigation',
            conductingAuthority: { name: 'TJ Paris', functions: 'judge' },
          },
          summaryOfFacts: 'Proceeds moved to Germany',
          legalBasis: { kind: 'untoc-18-7' },
          actionsRequested: 'Freeze the account',
          assets: [{ kind: 'bank-account', description: 'Account at Bank X' }],
          persons: [person()],
        },
        {
          facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
          declarations: { targets: ['P1'] },
        },
      ),
    expected: 'warn',
  },
  {
    rule: 'W-4',
    name: 'is silent for a request targeting a suspect',
    input: () => message('mla', 'request', mlaRequest([person({ roles: ['suspect'] })])),
    expected: 'none',
  },
  {
    rule: 'W-4',
    name: 'warns when a freeze names a victim as the holder of the asset (undeclared)',
    input: () =>
      message(
        'assets',
        'freeze',
        {
          requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
          proceeding: proceedingOf(mlaRequest()),
          summaryOfFacts: 'Proceeds moved to Germany',
          legalBasis: { kind: 'untoc-18-7' },
          actionsRequested: 'Freeze the account',
          assets: [{ kind: 'bank-account', description: 'Account', holder: 'Ana POPESCU' }],
          persons: [person()],
        },
        { facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] } },
      ),
    expected: 'warn',
  },
  {
    rule: 'W-4',
    name: 'warns when a JIT action approval request seeks the search of a victim (by reference)',
    input: () =>
      message(
        'jit',
        'action-approval-request',
        {
          actionId: 'A-7',
          territoryState: 'DE',
          description: 'Search of the premises of P1 in Cologne',
          persons: [person()],
        },
        {
          facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
          textFindings: [
            {
              field: '$.description',
              language: 'en',
              term: 'search of',
              topic: 'measure-against-person',
              index: 0,
              match: 'Search of the premises of ',
            },
          ],
        },
      ),
    expected: 'warn',
  },
  // W-5: repeat interview
  {
    rule: 'W-5',
    name: 'warns when a request would hear again a victim who already testified',
    input: () =>
      message(
        'mla',
        'request',
        mlaRequest([person()], { assistanceSought: ['video-link-hearing'] }),
        {
          facts: {
            persons: [{ personKey: 'P1', testimonyExists: true, identityPseudonymised: true }],
          },
        },
      ),
    expected: 'warn',
  },
  {
    rule: 'W-5',
    name: 'is silent for a first hearing',
    input: () =>
      message('mla', 'request', mlaRequest([person()], { assistanceSought: ['taking-evidence'] }), {
        facts: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
      }),
    expected: 'none',
  },
  // W-6: asylum terms in free text
  {
    rule: 'W-6',
    name: 'warns when free text to an origin-country authority mentions persecution',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_CENTRAL,
        textFindings: [{ field: 'body.summaryOfFacts', language: 'ru', term: 'преследование' }],
      }),
    expected: 'warn',
  },
  {
    rule: 'W-6',
    name: 'warns when an attachment to a foreign authority mentions asylum, naming the attachment',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        recipient: DE_CENTRAL,
        attachments: [
          {
            position: 0,
            name: 'statement.txt',
            mediaType: 'text/plain',
            category: 'evidence-item',
            text: 'complete',
          },
        ],
        textFindings: [{ field: 'attachments[0] "statement.txt"', language: 'en', term: 'asylum' }],
      }),
    expected: 'warn',
    outcome: 'warn',
  },
  {
    rule: 'W-6',
    name: 'warns when the text of an attachment could not be read whole',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        recipient: DE_CENTRAL,
        attachments: [
          {
            position: 0,
            name: 'scan.pdf',
            mediaType: 'application/pdf',
            category: 'evidence-item',
            text: 'unreadable',
          },
        ],
      }),
    expected: 'warn',
  },
  {
    rule: 'W-6',
    name: 'warns when a request naming no one tells a foreign authority of an asylum claim, with no case facts',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        recipient: DE_CENTRAL,
        textFindings: [{ field: '$.summaryOfFacts', language: 'fr', term: 'asile' }],
      }),
    expected: 'warn',
    outcome: 'warn',
  },
  {
    rule: 'W-6',
    name: 'warns when a person of the case facts has no known origin',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: DE_CENTRAL,
        facts: { persons: [{ personKey: 'P1', nationalities: ['RO'] }, { label: 'V-4' }] },
        textFindings: [{ field: '$.summaryOfFacts', language: 'en', term: 'refugee' }],
      }),
    expected: 'warn',
  },
  {
    rule: 'W-6',
    name: 'is silent for a State the case facts establish is no one’s origin',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: DE_CENTRAL,
        facts: { persons: [{ personKey: 'P1', nationalities: ['RO'] }] },
        textFindings: [{ field: 'body.summaryOfFacts', language: 'en', term: 'protection' }],
      }),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'W-6',
    name: 'is silent for an authority of the sending State',
    input: () =>
      message('mla', 'request', mlaRequest(), {
        recipient: { authorityId: 'FR-OFPRA', state: 'FR', kind: 'asylum' },
        textFindings: [{ field: '$.summaryOfFacts', language: 'en', term: 'asylum' }],
      }),
    expected: 'none',
  },
  // W-7: embassy contact with asylum flags in the case
  {
    rule: 'W-7',
    name: 'warns for an embassy contact while another person of the case claimed asylum',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_EMBASSY,
        facts: {
          persons: [
            { label: 'V-9', nationalities: ['SY'], asylum: { status: 'pending', shieldFrom: [] } },
          ],
        },
      }),
    expected: 'warn',
    outcome: 'warn',
  },
  {
    rule: 'W-7',
    name: 'records a note when the asylum authority signed off',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_EMBASSY,
        facts: {
          asylumAuthoritySignOff: 'OFPRA-2026-118',
          persons: [
            { label: 'V-9', nationalities: ['SY'], asylum: { status: 'pending', shieldFrom: [] } },
          ],
        },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  {
    rule: 'W-7',
    name: 'is silent without asylum flags',
    input: () =>
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_EMBASSY,
      }),
    expected: 'none',
  },
  // W-11: disposal and compensation
  {
    rule: 'W-11',
    name: 'warns for a disposal that does not consider compensation',
    input: () =>
      message(
        'assets',
        'disposal',
        disposal({
          victimCompensationConsidered: false,
          justification: 'No victim identified',
          allocations: [
            { recipient: 'requested-state', amount: { amount: 25000, currency: 'EUR' } },
          ],
        }),
        { channel: 'answer' },
      ),
    expected: 'warn',
  },
  {
    rule: 'W-11',
    name: 'warns when a claim is open and nothing goes to victims',
    input: () =>
      message(
        'assets',
        'disposal',
        disposal({
          allocations: [
            { recipient: 'requesting-state', amount: { amount: 25000, currency: 'EUR' } },
          ],
        }),
        { channel: 'answer', facts: { compensationClaimOpen: true } },
      ),
    expected: 'warn',
  },
  {
    rule: 'W-11',
    name: 'is silent when proceeds go to compensation',
    input: () =>
      message('assets', 'disposal', disposal(), {
        channel: 'answer',
        facts: { compensationClaimOpen: true },
      }),
    expected: 'none',
    outcome: 'allow',
  },
  // W-12: the language of a request
  {
    rule: 'W-12',
    name: 'warns for a request in a language the requested authority does not accept',
    input: () =>
      message('mla', 'request', mlaRequest([]), {
        recipient: { ...NG_CENTRAL, acceptedLanguages: ['en'] },
        language: 'fr',
      }),
    expected: 'warn',
  },
  {
    rule: 'W-12',
    name: 'is silent in an accepted language, or when either side records none',
    input: () =>
      message('mla', 'request', mlaRequest([]), {
        recipient: { ...NG_CENTRAL, acceptedLanguages: ['en', 'fr'] },
        language: 'fr',
      }),
    expected: 'none',
  },
  {
    rule: 'W-12',
    name: 'is silent for an answer: the requested State writes in its own language',
    input: () =>
      message('mla', 'request', mlaRequest([]), {
        channel: 'answer',
        messageType: 'execution-report',
        recipient: { ...NG_CENTRAL, acceptedLanguages: ['en'] },
        language: 'fr',
      }),
    expected: 'none',
  },
];

describe('the rules of domain.md section 4, case by case', () => {
  it.each(CASES.map((c) => ({ ...c, basis: RULES_CATALOGUE[c.rule].legalBasis.join('; ') })))(
    '$rule ($basis): $name',
    ({ rule, input, expected, outcome, fields }) => {
      const decision = evaluate(input());
      const own = decision.findings.filter((f) => f.ruleId === rule && f.severity !== 'note');
      if (expected === 'none') {
        expect(own).toEqual([]);
      } else {
        expect(own.map((f) => f.severity)).toContain(expected);
        for (const finding of own) {
          expect(finding.legalBasis).toEqual(RULES_CATALOGUE[rule].legalBasis);
          expect(finding.explanation.length).toBeGreaterThan(10);
        }
        const text = explain(decision);
        expect(text).toContain(`- ${rule} [${expected}]`);
        expect(text).toContain(`Legal basis: ${RULES_CATALOGUE[rule].legalBasis.join('; ')}`);
      }
      if (outcome) expect(decision.outcome).toBe(outcome);
      if (fields) expect(own.flatMap((f) => f.fields)).toEqual(fields);
    },
  );

  it('covers every rule id, silent and firing', () => {
    for (const rule of RULE_IDS) {
      const cases = CASES.filter((c) => c.rule === rule);
      expect({ rule, silent: cases.some((c) => c.expected === 'none') }).toEqual({
        rule,
        silent: true,
      });
      expect({ rule, firing: cases.some((c) => c.expected !== 'none') }).toEqual({
        rule,
        firing: true,
      });
    }
  });

  it('tells the sender only "Blocked by H-1"', () => {
    const decision = evaluate(
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: RO_CENTRAL,
        registerHits: [{ personIndex: 0, shieldFrom: ['RO'] }],
      }),
    );
    const h1 = decision.findings.filter((f) => f.ruleId === 'H-1');
    expect(h1.length).toBeGreaterThan(0);
    for (const finding of h1) expect(finding.senderMessage).toBe('Blocked by H-1');
    expect(h1[0].explanation).toMatch(/register/);
  });

  it('counts the State an authority id names, even if its declared State differs', () => {
    const decision = evaluate(
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: { authorityId: 'RO-MAE-PARIS', state: 'FR', kind: 'embassy' },
        facts: { persons: [{ personKey: 'P1', ...shieldedFromRo }] },
      }),
    );
    expect(decision.outcome).toBe('block');
  });

  it('keeps a finally rejected claim confidential (after the procedure ends)', () => {
    const decision = evaluate(
      safeVerification({ asylum: { status: 'rejected-final', shieldFrom: [] } }),
    );
    expect(decision.findings.filter((f) => f.severity === 'block').map((f) => f.ruleId)).toEqual([
      'H-1',
    ]);
  });

  it('shields from the States the person fears, as well as their nationality', () => {
    const input = message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
      recipient: DE_CENTRAL,
      facts: { persons: [{ personKey: 'P1', asylum: { status: 'granted', shieldFrom: ['DE'] } }] },
    });
    expect(evaluate(input).outcome).toBe('block');
    expect(
      evaluate({ ...input, recipient: FR_CENTRAL }).requiredHandling.noOnwardTransferTo,
    ).toEqual(['DE', 'RO']);
  });

  it('tells the sender which of its attachments a rule is about, by position only (never for H-1)', () => {
    const prints = (position: number, name: string) => ({
      position,
      name,
      mediaType: 'image/png',
      category: 'fingerprints' as const,
      text: 'binary' as const,
    });
    const decision = evaluate(
      message('mla', 'request', mlaRequest(), {
        attachments: [
          {
            position: 0,
            name: 'note.txt',
            mediaType: 'text/plain',
            category: 'other' as const,
            text: 'complete' as const,
          },
          prints(1, 'left-hand.png'),
          prints(2, 'right-hand.png'),
        ],
      }),
    );
    const details = policyError(decision)?.details ?? [];
    expect(details.find((d) => d.rule === 'B-1')).toMatchObject({ attachments: [1, 2] });
    expect(JSON.stringify(details)).not.toContain('hand.png');

    const shielded = evaluate(
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: DE_CENTRAL,
        facts: {
          persons: [{ personKey: 'P1', asylum: { status: 'granted', shieldFrom: ['DE'] } }],
        },
        attachments: [prints(0, 'prints.png')],
      }),
    );
    expect(policyError(shielded)?.details).toEqual([{ rule: 'H-1', message: 'Blocked by H-1' }]);
  });
});
