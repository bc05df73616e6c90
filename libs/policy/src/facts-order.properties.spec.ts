import fc from 'fast-check';
import type { Procedure } from '#libs/envelope';
import { evaluate } from './engine.js';
import {
  ASYLUM_STATUSES,
  PROCEEDING_KINDS,
  PROCEEDING_ROLES,
  RISK_ASSESSMENT_OUTCOMES,
  type AsylumFacts,
  type CaseFacts,
  type ChildFacts,
  type ConsentFacts,
  type JitActionFacts,
  type PersonFacts,
  type ProceedingFacts,
  type RiskAssessmentFacts,
} from './facts.js';
import { classifyFactChanges, combineFacts, personIdentity } from './facts-order.js';
import { looserThan } from './facts-order.fixtures.js';
import { type Body, message, mlaRequest, NOW } from './fixtures.js';
import { AUTHORITY_KINDS, type PolicyInput } from './input.js';
import { parsePolicySettings } from './settings.js';

/*
 * The order of facts agrees with the engine. For any facts of a procedure and any change to them
 * (made as the API makes it: persons keep their identity and order, new ones come last):
 * - a change classified as not relaxing never lets a draft through that was stopped before, nor
 *   sends more of it (fewer redactions), nor asks fewer acknowledgements or handling conditions;
 * - the same holds for the combination of that procedure's facts with another procedure's, which
 *   is what the decision point reads.
 * The drafts are schema-valid (their categories come from `categoriesOf`), for every procedure,
 * with register hits, asylum text, declarations, acknowledgements and settings.
 */

const STATES = ['FR', 'NG', 'RO', 'AL', 'DE'] as const;
const KEYS = ['P1', 'P2', 'P3'] as const;
const PURPOSES = ['Prosecution of the traffickers', 'Victim support'] as const;
const AGREEMENTS = ['AG-1', 'AG-2'] as const;
const RUNS = { numRuns: 1000 };

/** Settings that tighten per agreement and per State, so that the agreement matters. */
const SETTINGS = parsePolicySettings([
  {
    file: 'ag-1.json',
    document: {
      scope: { agreement: 'AG-1' },
      rules: { 'H-4': { riskAssessmentMaxAgeDays: 30 }, 'W-1': { severity: 'block' } },
    },
  },
  {
    file: 'ng.json',
    document: { scope: { state: 'NG' }, rules: { 'W-3': { severity: 'block' } } },
  },
]);

const states = (minLength = 0) =>
  fc.uniqueArray(fc.constantFrom(...STATES), { minLength, maxLength: 2 });
const reference = fc.constantFrom('REF-1', 'REF-2', ' ');

/** Present in one draft of four: enough to reach each rule, few enough that drafts often pass. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

function defined(record: Record<string, unknown>): Body {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

// --- Facts ---------------------------------------------------------------------------------------

const proceeding = fc.record(
  {
    kind: fc.constantFrom(...PROCEEDING_KINDS),
    role: fc.constantFrom(...PROCEEDING_ROLES),
    open: fc.boolean(),
    releaseRequestedByPerson: reference,
    lawyerSignOff: reference,
  },
  { requiredKeys: ['kind', 'role'] },
);

const consents = fc.uniqueArray(
  fc.record(
    {
      category: fc.constantFrom('health' as const, 'identity' as const),
      purpose: fc.constantFrom(...PURPOSES),
      given: fc.boolean(),
      withdrawn: fc.boolean(),
      reference: fc.constantFrom('C-1', 'C-2'),
    },
    { requiredKeys: ['category', 'purpose', 'given'] },
  ),
  {
    maxLength: 2,
    selector: (c) => `${c.category}|${c.purpose}|${c.reference ?? ''}`,
  },
);

/** Mostly `loose` when lenient (so that drafts pass and a change can stop them), else any. */
const pick = <T>(lenient: boolean, loose: fc.Arbitrary<T>, any: fc.Arbitrary<T>) =>
  lenient
    ? fc.oneof({ weight: 4, arbitrary: loose }, { weight: 1, arbitrary: any })
    : fc.oneof(loose, any);

/** Every field of a person, each optional, over values that reach every branch of the rules. */
const personFields = (lenient: boolean) =>
  fc
    .record(
      {
        subjectOfCase: fc.boolean(),
        label: fc.constantFrom('V-1', 'V-2'),
        // Often none when lenient: the first State recorded for a claimant is a subtle relaxation.
        nationalities: lenient ? sometimes(states(1)) : states(),
        countryOfOrigin: lenient
          ? sometimes(fc.constantFrom(...STATES))
          : fc.constantFrom(...STATES),
        dateOfBirth: pick(
          lenient,
          fc.constant('1990-05-01'),
          fc.constantFrom('2012-01-01', '2009', '2008-03', 'unknown'),
        ),
        asylum: pick<AsylumFacts>(
          lenient,
          fc.constant({ status: 'none' as const, shieldFrom: [] }),
          fc.record({ status: fc.constantFrom(...ASYLUM_STATUSES), shieldFrom: states() }),
        ),
        nonRefoulementRiskOpen: pick(lenient, fc.constant(false), fc.boolean()),
        riskAssessment: pick<RiskAssessmentFacts>(
          lenient,
          fc.constant({ done: true, at: '2026-02-25', outcome: 'no-risk' as const }),
          fc.record(
            {
              done: fc.boolean(),
              at: fc.constantFrom('2026-02-25', '2025-06-01', '2026-03-01T08:00:00Z', 'undated'),
              outcome: fc.constantFrom(...RISK_ASSESSMENT_OUTCOMES),
              reference: fc.constantFrom('RA-1', 'RA-2'),
            },
            { requiredKeys: ['done'] },
          ),
        ),
        openProceedings: pick<readonly ProceedingFacts[]>(
          lenient,
          fc.constant([]),
          fc.array(proceeding, { maxLength: 2 }),
        ),
        reflectionPeriod: fc.record({
          until: fc.constantFrom(
            '2026-01-31',
            '2026-03-02',
            '2026-04-30',
            '2026-05-01T00:00:00Z',
            '?',
          ),
        }),
        child: pick<ChildFacts>(
          lenient,
          fc.constant({
            bestInterestsDetermination: 'BID-1',
            guardian: { independentOfRequestingAgency: true },
            viewsRecorded: 'V-1',
            familyAssessment: 'FA-1',
          }),
          fc.record(
            {
              isChild: fc.boolean(),
              ageUncertain: fc.boolean(),
              bestInterestsDetermination: reference,
              guardian: fc.record(
                { reference, independentOfRequestingAgency: fc.boolean() },
                { requiredKeys: ['independentOfRequestingAgency'] },
              ),
              viewsRecorded: reference,
              familyAssessment: reference,
            },
            { requiredKeys: [] },
          ),
        ),
        victim: fc.boolean(),
        statusOffences: fc.boolean(),
        consents: pick<readonly ConsentFacts[]>(
          lenient,
          fc.constant([{ category: 'health' as const, purpose: PURPOSES[0], given: true }]),
          consents,
        ),
        testimonyExists: fc.boolean(),
        compensationClaimOpen: pick(lenient, fc.constant(false), fc.boolean()),
        returnVoluntary: pick(lenient, fc.constant(true), fc.boolean()),
        identityPseudonymised: fc.boolean(),
        identityProtectiveMeasures: reference,
      },
      {
        requiredKeys: lenient
          ? ['asylum', 'riskAssessment', 'child', 'consents', 'returnVoluntary', 'nationalities']
          : [],
      },
    )
    .map((fields) => defined(fields) as PersonFacts);

/** Identities of the persons of a message: their reference, or their position. */
const identity = fc.oneof(
  fc.constantFrom(...KEYS).map((personKey): PersonFacts => ({ personKey })),
  fc.integer({ min: 0, max: 2 }).map((personIndex): PersonFacts => ({ personIndex })),
  fc
    .tuple(fc.constantFrom(...KEYS), fc.integer({ min: 0, max: 2 }))
    .map(([personKey, personIndex]): PersonFacts => ({ personKey, personIndex })),
);

const persons = (lenient: boolean): fc.Arbitrary<PersonFacts[]> =>
  fc.uniqueArray(
    fc
      .tuple(identity, personFields(lenient))
      .map(([who, fields]): PersonFacts => ({ ...who, ...fields })),
    { maxLength: 3, selector: (person) => personIdentity(person, 0) },
  );

const caseFactsOf = (lenient: boolean): fc.Arbitrary<CaseFacts> =>
  fc.record(
    {
      persons: persons(lenient),
      legalBasisRecorded: pick(lenient, fc.constant(true), fc.boolean()),
      agreementId: fc.constantFrom(...AGREEMENTS),
      testimonyExists: fc.boolean(),
      asylumFlagsInCase: pick(lenient, fc.constant(false), fc.boolean()),
      asylumAuthoritySignOff: reference,
      compensationClaimOpen: fc.boolean(),
      jitActions: pick<readonly JitActionFacts[]>(
        lenient,
        fc.constant([{ actionId: 'ACT-1', territoryState: 'NG', decision: 'approved' as const }]),
        fc.uniqueArray(
          fc.record({
            actionId: fc.constantFrom('ACT-1', 'ACT-2'),
            territoryState: fc.constantFrom('NG', 'RO'),
            decision: fc.constantFrom('pending' as const, 'approved' as const, 'refused' as const),
          }),
          { maxLength: 2, selector: (a) => `${a.actionId}|${a.territoryState}` },
        ),
      ),
    },
    { requiredKeys: lenient ? ['persons', 'legalBasisRecorded'] : [] },
  );

/** Facts under which many drafts pass, so that a change can be seen to stop them. */
const caseFacts = caseFactsOf(true);
/** Any facts: what a change may put in place. */
const anyFacts = caseFactsOf(false);

type Edit = 'remove' | 'replace';

/** The names of the fields a change may touch: identities never change. */
function editable(current: object, replacement: object): string[] {
  return [...new Set([...Object.keys(current), ...Object.keys(replacement)])]
    .filter((name) => !['persons', 'personKey', 'personIndex'].includes(name))
    .sort();
}

function edited<T extends object>(current: T, replacement: T, edits: Map<string, Edit>): T {
  const result: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [name, what] of edits) {
    const value = (replacement as Record<string, unknown>)[name];
    if (what === 'remove' || value === undefined) delete result[name];
    else result[name] = value;
  }
  return result as T;
}

/**
 * A change as the API makes one: a few fields removed or replaced, persons matched by identity
 * and kept in their order, new persons last.
 */
const change = (before: CaseFacts): fc.Arbitrary<CaseFacts> =>
  fc
    .record({
      replacement: anyFacts,
      others: fc.array(personFields(false), { minLength: 3, maxLength: 3 }),
      targets: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 3 }),
      kinds: fc.array(fc.constantFrom<Edit>('remove', 'replace', 'replace'), {
        minLength: 3,
        maxLength: 3,
      }),
      added: fc.oneof(
        { weight: 3, arbitrary: fc.constant<PersonFacts[]>([]) },
        { weight: 1, arbitrary: persons(false) },
      ),
    })
    .map(({ replacement, others, targets, kinds, added }) => {
      const existing = before.persons ?? [];
      const slots: Array<{ owner: number; name: string }> = [
        ...editable(before, replacement).map((name) => ({ owner: -1, name })),
        ...existing.flatMap((person, owner) =>
          editable(person, others[owner]).map((name) => ({ owner, name })),
        ),
      ];
      const edits = existing.map(() => new Map<string, Edit>());
      const caseEdits = new Map<string, Edit>();
      targets.forEach((target, i) => {
        if (slots.length === 0) return;
        const { owner, name } = slots[target % slots.length];
        (owner === -1 ? caseEdits : edits[owner]).set(name, kinds[i]);
      });
      const after = edited(before, replacement, caseEdits);
      const kept = existing.map((person, owner) => edited(person, others[owner], edits[owner]));
      const known = new Set(existing.map((p, i) => personIdentity(p, i)));
      const fresh = added.filter((person, i) => !known.has(personIdentity(person, i)));
      const list = [...kept, ...fresh];
      return { ...after, persons: list };
    });

// --- Drafts --------------------------------------------------------------------------------------

const bodyPerson = (key: string | undefined, nationalityRequired: boolean) =>
  fc
    .record({
      reference: fc.constant(key),
      names: fc.constant({ familyNames: [`Name${key ?? 'X'}`] }),
      nationalities: nationalityRequired ? states(1) : fc.oneof(states(1), sometimes(states())),
      dateOfBirth: fc.constantFrom('1991-07-01', '2011', undefined),
      roles: fc.oneof(
        { weight: 3, arbitrary: fc.constant(['victim']) },
        {
          weight: 1,
          arbitrary: fc.uniqueArray(fc.constantFrom('victim', 'witness', 'suspect', 'child'), {
            minLength: 1,
            maxLength: 2,
          }),
        },
      ),
      protectionStatus: sometimes(fc.constantFrom('applicant', 'refugee')),
      lastKnownLocation: sometimes(fc.constant('Somewhere')),
      health: sometimes(
        fc.constantFrom(
          { information: 'diabetes', consentReference: 'C-1' },
          { information: 'diabetes', consentReference: 'C-9' },
        ),
      ),
      criminalRecord: sometimes(fc.constant([{ offence: 'forged passport', statusOffence: true }])),
    })
    .map(defined);

function bodyFor(template: number, named: Body[]): [Procedure, string, Body] {
  const some = named.length > 0 ? { persons: named } : {};
  switch (template) {
    case 0:
      return [
        'mla',
        'request',
        mlaRequest(named, { assistanceSought: ['taking-evidence', 'documents-records'] }),
      ];
    case 1:
      return [
        'jit',
        'operational-message',
        { subject: 'Update', text: 'News', territoryState: 'NG', actionId: 'ACT-1', ...some },
      ];
    case 2:
      return [
        'assets',
        'identify',
        {
          requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
          proceeding: {
            subjectMatter: 'Trafficking',
            nature: 'investigation',
            conductingAuthority: { name: 'TJ Paris', functions: 'judge' },
          },
          summaryOfFacts: 'Proceeds',
          actionsRequested: 'Identify accounts',
          ...some,
        },
      ];
    case 3: {
      const first = named[0] ?? {};
      return [
        'nationality-verification',
        'verification-request',
        {
          person: {
            names: { familyNames: ['Subject'] },
            dateOfBirth: '1990',
            placeOfBirth: 'Unknown',
            ...(Array.isArray(first.nationalities) && { nationalities: first.nationalities }),
            ...(Array.isArray(first.roles) && { roles: first.roles }),
          },
        },
      ];
    }
    default:
      return ['nationality-verification', 'travel-document-request', { documentType: 'passport' }];
  }
}

/**
 * A draft to judge facts by. With `knownStates`, every person the body names has a nationality in
 * it: see the combination property for why.
 */
const draft = (knownStates: boolean) =>
  fc
    .record({
      named: fc.tuple(
        bodyPerson('P1', knownStates),
        bodyPerson('P2', knownStates),
        bodyPerson(undefined, knownStates),
      ),
      count: fc.integer({ min: 0, max: 3 }),
      order: fc.constantFrom([0, 1, 2], [1, 0, 2], [2, 0, 1]),
      template: fc.constantFrom(0, 0, 0, 1, 1, 2, 2, 3, 3, 4),
      channel: fc.constantFrom('new-request' as const, 'answer' as const, 'jit-fan-out' as const),
      recipientState: fc.constantFrom(...STATES),
      recipientKind: fc.oneof(
        { weight: 4, arbitrary: fc.constant('central-authority' as const) },
        { weight: 1, arbitrary: fc.constantFrom(...AUTHORITY_KINDS) },
      ),
      hits: fc.oneof(
        { weight: 4, arbitrary: fc.constant<Array<[number, string[]]>>([]) },
        {
          weight: 1,
          arbitrary: fc
            .array(fc.tuple(fc.integer({ min: 0, max: 3 }), states(1)), { maxLength: 1 })
            .map((hits): Array<[number, string[]]> => hits),
        },
      ),
      asylumText: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      declarations: fc
        .record({
          returnOf: sometimes(fc.uniqueArray(fc.constantFrom<string | number>('P1', 'P2', 0, 2))),
          targets: sometimes(fc.uniqueArray(fc.constantFrom<string | number>('P1', 1))),
          prosecutionOrDetentionOf: sometimes(
            fc.uniqueArray(fc.constantFrom<string | number>('P2', 0)),
          ),
          interviews: sometimes(fc.uniqueArray(fc.constantFrom<string | number>('P1', 'P3', 2))),
          revealIdentity: sometimes(
            fc.constant([{ person: 'P1', needToKnow: 'Identification at trial' }]),
          ),
        })
        .map(defined),
      acknowledged: fc.uniqueArray(fc.constantFrom('W-1', 'W-2', 'W-3', 'W-5', 'W-7'), {
        maxLength: 3,
      }),
      purpose: fc.constantFrom(...PURPOSES),
      later: fc.constantFrom(0, 1, 40, 400),
    })
    .map((d) => {
      const named = d.order.slice(0, d.count).map((i) => d.named[i]);
      const [procedure, messageType, body] = bodyFor(d.template, named);
      return { ...d, procedure, messageType, body };
    });

type Draft = typeof draft extends (known: boolean) => fc.Arbitrary<infer D> ? D : never;

function inputOf(d: Draft, facts: CaseFacts): PolicyInput {
  return message(d.procedure, d.messageType, d.body, {
    channel: d.channel,
    sender: { authorityId: 'FR-MOJ-BEPI', state: 'FR', kind: 'central-authority' },
    recipient: {
      authorityId: `${d.recipientState}-GOV-B`,
      state: d.recipientState,
      kind: d.recipientKind,
    },
    facts,
    registerHits: d.hits.map(([personIndex, shieldFrom]) => ({ personIndex, shieldFrom })),
    ...(d.asylumText && {
      textFindings: [{ field: 'body.text', language: 'fr', term: 'asile' }],
    }),
    declarations: d.declarations,
    acknowledgements: d.acknowledged.map((ruleId) => ({
      ruleId,
      justification: 'Operational necessity',
      supervisor: 'sup.x',
    })),
    purpose: d.purpose,
    settings: SETTINGS,
    now: new Date(NOW.getTime() + d.later * 86_400_000),
  });
}

// --- Comparing decisions -------------------------------------------------------------------------

const relaxes = (before: CaseFacts, after: CaseFacts) =>
  classifyFactChanges(before, after).some((c) => c.direction === 'relaxed');

describe('the order of facts agrees with the engine', () => {
  it('lets no draft through after a change it does not call a relaxation', () => {
    let checked = 0;
    let tighter = 0;
    fc.assert(
      fc.property(
        caseFacts.chain((before) =>
          fc.tuple(
            fc.constant(before),
            change(before),
            fc.array(draft(false), { minLength: 8, maxLength: 8 }),
          ),
        ),
        ([before, after, drafts]) => {
          if (relaxes(before, after)) return;
          checked += 1;
          for (const input of drafts) {
            const [was, is] = [evaluate(inputOf(input, before)), evaluate(inputOf(input, after))];
            const looser = looserThan(is, was);
            if (looser) {
              throw new Error(
                `${looser}\nchanges: ${JSON.stringify(classifyFactChanges(before, after))}\nbefore: ${JSON.stringify(before)}\nafter: ${JSON.stringify(after)}\ndraft: ${JSON.stringify(input)}`,
              );
            }
            if (looserThan(was, is)) tighter += 1;
          }
        },
      ),
      RUNS,
    );
    // Not vacuous: many changes are not relaxations, and some of them do stop drafts. (Over runs
    // of this seed-free test, `checked` was 435-459 and `tighter` 48-96: the bounds leave room.)
    expect(checked).toBeGreaterThan(RUNS.numRuns / 5);
    expect(tighter).toBeGreaterThan(10);
  });

  it('finds what it calls relaxations loosening some drafts (the oracle can fail)', () => {
    let looser = 0;
    fc.assert(
      fc.property(
        caseFacts.chain((before) =>
          fc.tuple(
            fc.constant(before),
            change(before),
            fc.array(draft(false), { minLength: 8, maxLength: 8 }),
          ),
        ),
        ([before, after, drafts]) => {
          if (!relaxes(before, after)) return;
          for (const input of drafts) {
            if (looserThan(evaluate(inputOf(input, after)), evaluate(inputOf(input, before))))
              looser += 1;
          }
        },
      ),
      { numRuns: 400 },
    );
    // 45-73 over runs: the oracle fails some drafts every time, whatever the seed.
    expect(looser).toBeGreaterThan(10);
  });

  /*
   * One exception, by design (README, "States known"): a State recorded for a person by any
   * procedure makes their States known to all, and a record by position is joined to a keyed
   * person it may be. Either lifts H-1's block of asylum data abroad "to an unknown State" for a
   * claimant whose nationality the message does not give; so here every person named has one.
   */
  it('keeps the combination with another procedure’s facts at least as tight after such a change', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        caseFacts.chain((before) =>
          fc.tuple(
            fc.constant(before),
            change(before),
            caseFacts,
            fc.boolean(),
            fc.array(draft(true), { minLength: 6, maxLength: 6 }),
          ),
        ),
        ([before, after, other, otherFirst, drafts]) => {
          if (relaxes(before, after)) return;
          checked += 1;
          const combine = (own: CaseFacts) =>
            combineFacts(otherFirst ? [other, own] : [own, other]);
          for (const input of drafts) {
            const looser = looserThan(
              evaluate(inputOf(input, combine(after))),
              evaluate(inputOf(input, combine(before))),
            );
            if (looser) {
              throw new Error(
                `${looser}\nbefore: ${JSON.stringify(before)}\nafter: ${JSON.stringify(after)}\nother: ${JSON.stringify(other)}\ndraft: ${JSON.stringify(input)}`,
              );
            }
          }
        },
      ),
      RUNS,
    );
    expect(checked).toBeGreaterThan(RUNS.numRuns / 5);
  });

  it('reads one procedure’s facts, combined with nothing recorded, as they are', () => {
    fc.assert(
      fc.property(caseFacts, (facts) => {
        const recorded = Object.entries(facts).some(
          ([name, value]) => name !== 'persons' || (value as unknown[]).length > 0,
        );
        expect(combineFacts([{}, facts, { persons: [] }])).toEqual(recorded ? facts : {});
      }),
      { numRuns: 300 },
    );
  });
});
