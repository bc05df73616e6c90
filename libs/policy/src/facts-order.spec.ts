import { evaluate } from './engine.js';
import type { CaseFacts, PersonFacts } from './facts.js';
import {
  classifyFactChanges,
  combineFacts,
  FACT_FIELDS,
  latestEighteenthBirthday,
  overallDirection,
  type FactDirection,
} from './facts-order.js';
import { looserThan } from './facts-order.fixtures.js';
import {
  DE_CENTRAL,
  message,
  mlaRequest,
  NG_CENTRAL,
  NOW,
  person,
  RO_CENTRAL,
  safeReturnee,
  safeVerification,
  travelDocumentRequest,
} from './fixtures.js';
import type { PolicyInput } from './input.js';
import { mayBeUnder18 } from './persons.js';
import { parsePolicySettings } from './settings.js';

/*
 * One case or more per fact: a change, the direction the order gives it, and a draft on which the
 * engine shows it (a relaxation lets the draft through, or with less; a tightening stops it).
 */

interface FieldCase {
  readonly field: string;
  readonly name: string;
  readonly before: CaseFacts;
  readonly after: CaseFacts;
  readonly direction: FactDirection;
  /** The facts the change shows as changed, when not `field` itself. */
  readonly changed?: readonly string[];
  /** A draft the engine decides differently before and after, in the case's direction. */
  readonly draft?: (facts: CaseFacts) => PolicyInput;
}

const returnee = (facts: Partial<PersonFacts> = {}): CaseFacts => ({
  persons: [safeReturnee(facts)],
});
const verification = (facts: CaseFacts) => safeVerification({}, { facts });
/** A travel-document request: it names nobody, the case's subject is the returnee. */
const travel = (facts: CaseFacts) => travelDocumentRequest({}, { facts });
const claimant = (facts: Partial<PersonFacts> = {}): CaseFacts => ({
  persons: [{ personKey: 'P1', asylum: { status: 'pending', shieldFrom: [] }, ...facts }],
});
const named = (overrides: Record<string, unknown> = {}) =>
  person({ roles: ['witness'], ...overrides });
const mla =
  (recipient = RO_CENTRAL, body = named(), extra: Partial<PolicyInput> = {}) =>
  (facts: CaseFacts) =>
    message('mla', 'request', mlaRequest([body]), { recipient, facts, ...extra });
/** A claimant whose nationality the message does not give. */
const stateless = Object.fromEntries(
  Object.entries(named({ protectionStatus: 'applicant' })).filter(
    ([key]) => key !== 'nationalities',
  ),
);
const hearing = (facts: CaseFacts) =>
  message('mla', 'request', mlaRequest([person()], { assistanceSought: ['taking-evidence'] }), {
    facts,
  });
const health = { information: 'HIV positive, under treatment', consentReference: 'C-1' };
const PURPOSE = 'prosecution of the recruiters';
const healthConsent = { category: 'health' as const, purpose: PURPOSE, given: true };
const withHealth = (facts: CaseFacts) =>
  message('mla', 'request', mlaRequest([person({ health })]), {
    purpose: PURPOSE,
    recipient: DE_CENTRAL,
    facts,
  });
const RECENT_ASSESSMENT = {
  done: true,
  at: '2026-02-25',
  outcome: 'no-risk' as const,
};
const OLD_ASSESSMENT = { ...RECENT_ASSESSMENT, at: '2025-06-01' };
const SETTINGS = parsePolicySettings([
  {
    file: 'ag-1.json',
    document: {
      scope: { agreement: 'AG-1' },
      rules: { 'H-4': { riskAssessmentMaxAgeDays: 30 }, 'W-1': { severity: 'block' } },
    },
  },
]);
const recentOnly = (facts: CaseFacts) =>
  safeVerification({}, { facts: { ...facts, agreementId: 'AG-1' }, settings: SETTINGS });
/** The engine reading a procedure's facts combined with another procedure's. */
const combinedWith =
  (other: CaseFacts, draft: (facts: CaseFacts) => PolicyInput) => (facts: CaseFacts) =>
    draft(combineFacts([facts, other]));
const noLegalBasis = (facts: CaseFacts) =>
  message('mla', 'request', mlaRequest([], { legalBasis: undefined }), { facts });
const jit = (facts: CaseFacts) =>
  message(
    'jit',
    'operational-message',
    { subject: 'Search', text: 'Search of premises', territoryState: 'DE', actionId: 'A-1' },
    { channel: 'jit-fan-out', facts },
  );
const disposal = (facts: CaseFacts) =>
  message(
    'assets',
    'disposal',
    {
      victimCompensationConsidered: true,
      allocations: [{ recipient: 'requested-state', amount: { amount: 25000, currency: 'EUR' } }],
      disposedOn: '2026-03-01',
    },
    { facts },
  );
const childRecords = {
  bestInterestsDetermination: 'BID-1',
  guardian: { reference: 'G-1', independentOfRequestingAgency: true },
  viewsRecorded: 'VR-1',
  familyAssessment: 'FA-1',
};

const CASES: FieldCase[] = [
  {
    field: 'persons[].personKey',
    name: 'another key is another person: the first one’s facts are removed',
    changed: ['persons[].asylum.status'],
    before: claimant(),
    after: { persons: [{ personKey: 'P2', asylum: { status: 'pending', shieldFrom: [] } }] },
    direction: 'relaxed',
    draft: mla(RO_CENTRAL, named({ reference: 'P1' })),
  },
  {
    field: 'persons[].personIndex',
    name: 'with a key, the index only documents the position',
    before: { persons: [{ personKey: 'P1', personIndex: 0, victim: true }] },
    after: { persons: [{ personKey: 'P1', personIndex: 3, victim: true }] },
    direction: 'neutral',
  },
  {
    field: 'persons[].subjectOfCase',
    name: 'making a person the case’s subject gives a travel document request its returnee',
    before: returnee({ subjectOfCase: false }),
    after: returnee(),
    direction: 'relaxed',
    draft: travel,
  },
  {
    field: 'persons[].subjectOfCase',
    name: 'a claimant who is no longer the subject is no longer named to their State',
    before: {
      persons: [
        { personIndex: 5, subjectOfCase: true, asylum: { status: 'pending', shieldFrom: ['RO'] } },
      ],
    },
    after: {
      persons: [
        { personIndex: 5, subjectOfCase: false, asylum: { status: 'pending', shieldFrom: ['RO'] } },
      ],
    },
    direction: 'relaxed',
    draft: (facts) => message('mla', 'request', mlaRequest([]), { recipient: RO_CENTRAL, facts }),
  },
  {
    field: 'persons[].label',
    name: 'a label is read in explanations only',
    before: { persons: [{ personKey: 'P1', label: 'V-1' }] },
    after: { persons: [{ personKey: 'P1', label: 'V-2' }] },
    direction: 'neutral',
  },
  {
    field: 'persons[].nationalities',
    name: 'another nationality of a claimant is another State to shield them from',
    before: claimant({ nationalities: ['AL'] }),
    after: claimant({ nationalities: ['AL', 'NG'] }),
    direction: 'tightened',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].nationalities',
    name: 'removing a nationality lets the claimant be named to that State',
    before: claimant({ nationalities: ['NG'] }),
    after: claimant({ nationalities: [] }),
    direction: 'relaxed',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].nationalities',
    name: 'the first State of a claimant makes their States known: asylum data may go elsewhere',
    before: claimant(),
    after: claimant({ nationalities: ['NG'] }),
    direction: 'relaxed',
    draft: mla(DE_CENTRAL, stateless),
  },
  {
    field: 'persons[].countryOfOrigin',
    name: 'another country of origin drops the first',
    before: claimant({ countryOfOrigin: 'NG' }),
    after: claimant({ countryOfOrigin: 'AL' }),
    direction: 'relaxed',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].countryOfOrigin',
    name: 'a country of origin recorded besides known States is one more State',
    before: claimant({ nationalities: ['AL'] }),
    after: claimant({ nationalities: ['AL'], countryOfOrigin: 'NG' }),
    direction: 'tightened',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].dateOfBirth',
    name: 'an adult’s date of birth for a child’s lets the return go without H-5’s records',
    before: returnee({ dateOfBirth: '2012-01-01' }),
    after: returnee({ dateOfBirth: '1990-05-01' }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].dateOfBirth',
    name: 'a date that may be a child’s needs H-5’s records',
    before: returnee(),
    after: returnee({ dateOfBirth: '2012' }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].asylum.status',
    name: 'a pending claim becomes none',
    before: returnee({ asylum: { status: 'pending', shieldFrom: [] } }),
    after: returnee(),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].asylum.status',
    name: 'a withdrawn claim still shields the person (H-1 after the procedure ends)',
    before: returnee({ asylum: { status: 'withdrawn', shieldFrom: [] } }),
    after: returnee({ asylum: { status: 'none', shieldFrom: [] } }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].asylum.status',
    name: 'a claim recorded',
    before: returnee(),
    after: returnee({ asylum: { status: 'rejected-final', shieldFrom: [] } }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].asylum.status',
    name: 'pending and granted block alike',
    before: returnee({ asylum: { status: 'pending', shieldFrom: [] } }),
    after: returnee({ asylum: { status: 'granted', shieldFrom: [] } }),
    direction: 'neutral',
  },
  {
    field: 'persons[].asylum.shieldFrom',
    name: 'a State the person fears, removed',
    before: claimant({ asylum: { status: 'withdrawn', shieldFrom: ['NG'] } }),
    after: claimant({ asylum: { status: 'withdrawn', shieldFrom: [] } }),
    direction: 'relaxed',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].asylum.shieldFrom',
    name: 'a State the person fears, added to known ones',
    before: claimant({ nationalities: ['AL'] }),
    after: claimant({ nationalities: ['AL'], asylum: { status: 'pending', shieldFrom: ['NG'] } }),
    direction: 'tightened',
    draft: mla(NG_CENTRAL),
  },
  {
    field: 'persons[].nonRefoulementRiskOpen',
    name: 'a non-refoulement risk closed',
    before: returnee({ nonRefoulementRiskOpen: true }),
    after: returnee({ nonRefoulementRiskOpen: false }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].nonRefoulementRiskOpen',
    name: 'a non-refoulement risk opened',
    before: returnee(),
    after: returnee({ nonRefoulementRiskOpen: true }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].riskAssessment',
    name: 'a risk found, then none',
    before: returnee({ riskAssessment: { done: true, outcome: 'risk' } }),
    after: returnee(),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].riskAssessment',
    name: 'no risk found, then a risk',
    before: returnee(),
    after: returnee({ riskAssessment: { done: true, outcome: 'inconclusive' } }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].riskAssessment',
    name: 'a more recent assessment passes a recency setting',
    before: returnee({ riskAssessment: OLD_ASSESSMENT }),
    after: returnee({ riskAssessment: RECENT_ASSESSMENT }),
    direction: 'relaxed',
    draft: recentOnly,
  },
  {
    field: 'persons[].riskAssessment',
    name: 'removing an old assessment lets another procedure’s recent one through',
    before: returnee({ riskAssessment: OLD_ASSESSMENT }),
    after: { persons: [{ ...safeReturnee(), riskAssessment: undefined }] },
    direction: 'relaxed',
    draft: combinedWith(returnee({ riskAssessment: RECENT_ASSESSMENT }), recentOnly),
  },
  {
    field: 'persons[].openProceedings',
    name: 'the person released from criminal proceedings, signed off by their lawyer',
    before: returnee({ openProceedings: [{ kind: 'criminal', role: 'victim' }] }),
    after: returnee({
      openProceedings: [
        { kind: 'criminal', role: 'victim', releaseRequestedByPerson: 'R-1', lawyerSignOff: 'L-1' },
      ],
    }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].openProceedings',
    name: 'a closed compensation proceeding listed lifts H-3’s reading of an open claim',
    before: returnee({ compensationClaimOpen: true }),
    after: returnee({
      compensationClaimOpen: true,
      openProceedings: [{ kind: 'compensation', role: 'claimant', open: false }],
    }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].openProceedings',
    name: 'the person is a witness in open civil proceedings',
    before: returnee(),
    after: returnee({ openProceedings: [{ kind: 'civil', role: 'witness' }] }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].reflectionPeriod',
    name: 'a reflection period ended earlier',
    before: returnee({ reflectionPeriod: { until: '2026-04-30' } }),
    after: returnee({ reflectionPeriod: { until: '2026-03-01' } }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].reflectionPeriod',
    name: 'a reflection period recorded',
    before: returnee(),
    after: returnee({ reflectionPeriod: { until: '2026-03-02' } }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].child.isChild',
    name: 'no longer a child',
    before: returnee({ child: { isChild: true } }),
    after: returnee({ child: {} }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].child.ageUncertain',
    name: 'an uncertain age',
    before: returnee(),
    after: returnee({ child: { ageUncertain: true } }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].child.bestInterestsDetermination',
    name: 'a best-interests determination recorded',
    before: returnee({
      child: { ...childRecords, isChild: true, bestInterestsDetermination: undefined },
    }),
    after: returnee({ child: { ...childRecords, isChild: true } }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].child.guardian',
    name: 'a guardian independent of the requesting agency',
    before: returnee({
      child: { ...childRecords, isChild: true, guardian: { independentOfRequestingAgency: false } },
    }),
    after: returnee({ child: { ...childRecords, isChild: true } }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].child.viewsRecorded',
    name: 'the record of the child’s views removed',
    before: returnee({ child: { ...childRecords, isChild: true } }),
    after: returnee({ child: { ...childRecords, isChild: true, viewsRecorded: undefined } }),
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].child.familyAssessment',
    name: 'a family assessment recorded',
    before: returnee({ child: { ...childRecords, isChild: true, familyAssessment: ' ' } }),
    after: returnee({ child: { ...childRecords, isChild: true } }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].victim',
    name: 'no longer a victim: their location is sent',
    before: { persons: [{ personKey: 'P1', victim: true }] },
    after: { persons: [{ personKey: 'P1', victim: false }] },
    direction: 'relaxed',
    draft: mla(DE_CENTRAL, named({ lastKnownLocation: 'Lyon' })),
  },
  {
    field: 'persons[].statusOffences',
    name: 'status offences of a victim sought as a suspect',
    before: { persons: [{ personKey: 'P1', victim: true }] },
    after: { persons: [{ personKey: 'P1', victim: true, statusOffences: true }] },
    direction: 'tightened',
    draft: mla(DE_CENTRAL, named({ roles: ['suspect'] })),
  },
  {
    field: 'persons[].consents',
    name: 'a consent to send health data given',
    before: { persons: [{ personKey: 'P1' }] },
    after: { persons: [{ personKey: 'P1', consents: [healthConsent] }] },
    direction: 'relaxed',
    draft: withHealth,
  },
  {
    field: 'persons[].consents',
    name: 'a consent withdrawn',
    before: { persons: [{ personKey: 'P1', consents: [healthConsent] }] },
    after: { persons: [{ personKey: 'P1', consents: [{ ...healthConsent, withdrawn: true }] }] },
    direction: 'tightened',
    draft: withHealth,
  },
  {
    field: 'persons[].consents',
    name: 'removing a withdrawal lets another procedure’s consent through',
    before: { persons: [{ personKey: 'P1', consents: [{ ...healthConsent, withdrawn: true }] }] },
    after: { persons: [{ personKey: 'P1', consents: [] }] },
    direction: 'relaxed',
    draft: combinedWith({ persons: [{ personKey: 'P1', consents: [healthConsent] }] }, withHealth),
  },
  {
    field: 'persons[].testimonyExists',
    name: 'the case flags testimony, the person’s record says none',
    before: { testimonyExists: true, persons: [{ personKey: 'P1' }] },
    after: { testimonyExists: true, persons: [{ personKey: 'P1', testimonyExists: false }] },
    direction: 'relaxed',
    draft: hearing,
  },
  {
    field: 'persons[].compensationClaimOpen',
    name: 'a compensation claim closed',
    before: returnee({ compensationClaimOpen: true }),
    after: returnee({ compensationClaimOpen: false }),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].returnVoluntary',
    name: 'the person’s wish to return recorded',
    before: returnee({ returnVoluntary: false }),
    after: returnee(),
    direction: 'relaxed',
    draft: verification,
  },
  {
    field: 'persons[].returnVoluntary',
    name: 'the wish to return removed',
    before: returnee(),
    after: { persons: [{ ...safeReturnee(), returnVoluntary: undefined }] },
    direction: 'tightened',
    draft: verification,
  },
  {
    field: 'persons[].identityPseudonymised',
    name: 'identity already pseudonymised: not redacted again',
    before: { persons: [{ personKey: 'P1' }] },
    after: { persons: [{ personKey: 'P1', identityPseudonymised: true }] },
    direction: 'relaxed',
    draft: mla(DE_CENTRAL, person()),
  },
  {
    field: 'persons[].identityProtectiveMeasures',
    name: 'protective measures recorded: the identity goes unredacted',
    before: { persons: [{ personKey: 'P1' }] },
    after: { persons: [{ personKey: 'P1', identityProtectiveMeasures: 'PM-1' }] },
    direction: 'relaxed',
    draft: mla(DE_CENTRAL, person()),
  },
  {
    field: 'legalBasisRecorded',
    name: 'a legal basis recorded',
    before: {},
    after: { legalBasisRecorded: true },
    direction: 'relaxed',
    draft: noLegalBasis,
  },
  {
    field: 'agreementId',
    name: 'another agreement leaves the first one’s settings',
    before: { ...returnee({ returnVoluntary: false }), agreementId: 'AG-1' },
    after: { ...returnee({ returnVoluntary: false }), agreementId: 'AG-2' },
    direction: 'relaxed',
    draft: (facts) => safeVerification({}, { facts, settings: SETTINGS }),
  },
  {
    field: 'testimonyExists',
    name: 'the case’s testimony flag removed',
    before: { testimonyExists: true },
    after: {},
    direction: 'relaxed',
    draft: hearing,
  },
  {
    field: 'asylumFlagsInCase',
    name: 'asylum flags in the case',
    before: {},
    after: { asylumFlagsInCase: true },
    direction: 'tightened',
    draft: mla(RO_CENTRAL),
  },
  {
    field: 'asylumAuthoritySignOff',
    name: 'the asylum authority’s sign-off recorded',
    before: { asylumFlagsInCase: true },
    after: { asylumFlagsInCase: true, asylumAuthoritySignOff: 'SO-1' },
    direction: 'relaxed',
    draft: mla(RO_CENTRAL),
  },
  {
    field: 'compensationClaimOpen',
    name: 'a victim’s compensation claim open in the case',
    before: {},
    after: { compensationClaimOpen: true },
    direction: 'tightened',
    draft: disposal,
  },
  {
    field: 'jitActions',
    name: 'an action approved by its member',
    before: { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'pending' }] },
    after: { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'approved' }] },
    direction: 'relaxed',
    draft: jit,
  },
  {
    field: 'jitActions',
    name: 'removing a refusal lets another procedure’s approval through',
    before: { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'refused' }] },
    after: {},
    direction: 'relaxed',
    draft: combinedWith(
      { jitActions: [{ actionId: 'A-1', territoryState: 'DE', decision: 'approved' }] },
      jit,
    ),
  },
];

describe('the order of facts, field by field', () => {
  it.each(CASES.map((c) => [`${c.field}: ${c.name}`, c] as const))('%s', (_name, c) => {
    const changes = classifyFactChanges(c.before, c.after);
    expect(changes.map((change) => change.field)).toEqual(
      expect.arrayContaining([...(c.changed ?? [c.field])]),
    );
    expect(overallDirection(changes)).toBe(c.direction);
    if (!c.draft) return;
    const [before, after] = [evaluate(c.draft(c.before)), evaluate(c.draft(c.after))];
    if (c.direction === 'relaxed') expect(looserThan(after, before)).toBeDefined();
    if (c.direction === 'tightened') {
      expect(looserThan(before, after)).toBeDefined();
      expect(looserThan(after, before)).toBeUndefined();
    }
    if (c.direction === 'neutral') expect(looserThan(after, before)).toBeUndefined();
  });

  it('has a case for every fact the engine reads', () => {
    const covered = new Set(CASES.map((c) => c.field));
    expect(FACT_FIELDS.map((f) => f.field).filter((field) => !covered.has(field))).toEqual([]);
  });

  it('documents every field of the facts with the rules that read it and who owns it', () => {
    for (const fact of FACT_FIELDS) {
      expect(fact.tighter.length).toBeGreaterThan(5);
      expect(fact.type.length).toBeGreaterThan(2);
    }
    const asylum = FACT_FIELDS.filter((f) => f.owner === 'asylum-authority').map((f) => f.field);
    expect(asylum.sort()).toEqual([
      'asylumAuthoritySignOff',
      'asylumFlagsInCase',
      'persons[].asylum.shieldFrom',
      'persons[].asylum.status',
      'persons[].nonRefoulementRiskOpen',
    ]);
  });
});

describe('classifying a change', () => {
  it('names the path, the values, the owners and the rules of each change', () => {
    const [change] = classifyFactChanges(
      claimant(),
      claimant({ asylum: { status: 'none', shieldFrom: [] } }),
    );
    expect(change).toEqual({
      path: 'persons[key=P1].asylum.status',
      field: 'persons[].asylum.status',
      before: 'pending',
      after: 'none',
      direction: 'relaxed',
      owners: ['asylum-authority'],
      rules: ['H-1', 'H-4', 'W-7'],
    });
  });

  it('lets either owner make a claimant’s States known', () => {
    const changes = classifyFactChanges(
      claimant(),
      claimant({ asylum: { status: 'pending', shieldFrom: ['NG'] } }),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        path: 'persons[key=P1].asylum.shieldFrom',
        direction: 'relaxed',
        owners: ['procedure', 'asylum-authority'],
      }),
    ]);
  });

  it('takes the first nationality or origin of a person whose shielded States are known as a relaxation (W-6)', () => {
    const shielded = claimant({ asylum: { status: 'granted', shieldFrom: ['NG', 'AL'] } });
    const withOrigin: CaseFacts = {
      ...shielded,
      persons: shielded.persons!.map((p) => ({ ...p, countryOfOrigin: 'FR' })),
    };
    expect(classifyFactChanges(shielded, withOrigin)).toEqual([
      expect.objectContaining({
        path: 'persons[key=P1].countryOfOrigin',
        direction: 'relaxed',
        owners: ['procedure', 'asylum-authority'],
      }),
    ]);
  });

  it('sees a change in the order of persons as a relaxation: another record may match first', () => {
    const first: PersonFacts = {
      personIndex: 0,
      asylum: { status: 'pending', shieldFrom: ['RO'] },
    };
    const second: PersonFacts = { personKey: 'P1', victim: true };
    const changes = classifyFactChanges({ persons: [first, second] }, { persons: [second, first] });
    expect(changes).toEqual([expect.objectContaining({ path: 'persons', direction: 'relaxed' })]);
    // The engine agrees: the claim no longer applies to P1 (at position 0).
    const draft = mla(RO_CENTRAL, person());
    expect(
      looserThan(
        evaluate(draft({ persons: [second, first] })),
        evaluate(draft({ persons: [first, second] })),
      ),
    ).toBeDefined();
  });

  it('finds nothing when nothing changed, whatever the order of keys', () => {
    const facts = returnee({ child: { isChild: true, viewsRecorded: 'V' } });
    const reordered = JSON.parse(JSON.stringify(facts, Object.keys(facts).reverse())) as CaseFacts;
    expect(classifyFactChanges(facts, { ...reordered, ...facts })).toEqual([]);
  });

  it('reads dates of birth as the engine does', () => {
    for (const date of ['2008', '2008-03', '2008-03-02', '2008-03-03', 'unknown', '2010-02-31']) {
      const eighteenth = latestEighteenthBirthday(date);
      expect([date, mayBeUnder18(date, NOW)]).toEqual([date, NOW.getTime() < eighteenth]);
      if (Number.isFinite(eighteenth)) {
        expect([date, mayBeUnder18(date, new Date(eighteenth))]).toEqual([date, false]);
      }
    }
  });
});

describe('combining the facts of several procedures', () => {
  it('takes the tightest record of each fact, and every State and proceeding', () => {
    const mlaFacts: CaseFacts = {
      legalBasisRecorded: true,
      persons: [
        {
          personKey: 'P1',
          nationalities: ['NG'],
          countryOfOrigin: 'NG',
          asylum: { status: 'pending', shieldFrom: ['NG'] },
          riskAssessment: { done: true, outcome: 'no-risk', at: '2026-02-01' },
          consents: [healthConsent],
        },
      ],
    };
    const jitFacts: CaseFacts = {
      legalBasisRecorded: false,
      persons: [
        {
          personKey: 'P1',
          countryOfOrigin: 'GH',
          asylum: { status: 'none', shieldFrom: ['LY'] },
          riskAssessment: { done: true, outcome: 'no-risk', at: '2026-02-20' },
          openProceedings: [{ kind: 'criminal', role: 'witness' }],
          consents: [{ ...healthConsent, withdrawn: true }],
        },
      ],
    };
    expect(combineFacts([mlaFacts, jitFacts])).toEqual({
      legalBasisRecorded: false,
      persons: [
        {
          personKey: 'P1',
          nationalities: ['NG', 'GH'],
          countryOfOrigin: 'NG',
          asylum: { status: 'pending', shieldFrom: ['NG', 'LY'] },
          riskAssessment: { done: true, outcome: 'no-risk', at: '2026-02-01' },
          openProceedings: [{ kind: 'criminal', role: 'witness' }],
          consents: [{ ...healthConsent, withdrawn: true }],
        },
      ],
    });
  });

  it('applies a record by position to a keyed person it may be (fail closed)', () => {
    const combined = combineFacts([
      { persons: [{ personKey: 'P1', victim: true }] },
      {
        persons: [
          {
            personIndex: 0,
            subjectOfCase: true,
            asylum: { status: 'pending', shieldFrom: ['RO'] },
          },
        ],
      },
    ]);
    expect(combined.persons).toEqual([
      { personKey: 'P1', victim: true, asylum: { status: 'pending', shieldFrom: ['RO'] } },
      { personIndex: 0, subjectOfCase: true, asylum: { status: 'pending', shieldFrom: ['RO'] } },
    ]);
    // P1 at position 0 is shielded from RO, as the second procedure's record alone would have it.
    expect(evaluate(mla(RO_CENTRAL, person())(combined)).outcome).toBe('block');
  });

  it('makes a claimant’s States known to all once one procedure records one (README, "States known")', () => {
    const claim = claimant();
    const nationality: CaseFacts = { persons: [{ personKey: 'P1', nationalities: ['NG'] }] };
    const abroad = mla(DE_CENTRAL, stateless);
    // The claim alone: asylum data may not go abroad while the States are unknown...
    expect(evaluate(abroad(claim)).outcome).toBe('block');
    // ...another procedure's record of the nationality makes them known: NG only is shielded.
    expect(evaluate(abroad(combineFacts([claim, nationality]))).outcome).not.toBe('block');
    expect(evaluate(mla(NG_CENTRAL, stateless)(combineFacts([claim, nationality]))).outcome).toBe(
      'block',
    );
  });

  it('keeps a person’s "no testimony" only where every procedure flagging testimony says so', () => {
    const combined = combineFacts([
      { persons: [{ personKey: 'P1', testimonyExists: false }] },
      { testimonyExists: true },
    ]);
    expect(combined).toEqual({ testimonyExists: true, persons: [{ personKey: 'P1' }] });
    expect(evaluate(hearing(combined)).pendingAcknowledgements).toContain('W-5');
  });
});
