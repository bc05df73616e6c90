import type { RuleId } from './catalogue.js';
import type {
  AsylumFacts,
  AsylumStatus,
  CaseFacts,
  ChildFacts,
  ConsentFacts,
  GuardianFacts,
  JitActionFacts,
  PersonFacts,
  ProceedingFacts,
  RiskAssessmentFacts,
} from './facts.js';
import { stateCode } from './persons.js';
import { recorded } from './rules/rule.js';

/*
 * How strictly the engine reads each case fact: one order per field, defined once. It serves
 * three purposes:
 * - classify a change of a procedure's facts as tightening, neutral or relaxing (who may make it);
 * - combine the facts of all the procedures of a case into what the decision point reads;
 * - document every fact (README).
 *
 * Two readings of "nothing recorded" meet here. Alone, the engine reads an absent fact its own
 * way (no risk assessment: H-4 blocks). In a combination, an absent fact is no statement: the
 * other procedures' records decide. So a change is tightening only if it is tightening in both
 * readings: removing a record that could outweigh another procedure's looser one (a blocking risk
 * assessment, a withdrawn consent) is a relaxation even where the engine alone would block.
 * Property tests (facts-order.properties.spec.ts) check both against `evaluate`.
 */

export const FACT_DIRECTIONS = ['tightened', 'neutral', 'relaxed'] as const;
export type FactDirection = (typeof FACT_DIRECTIONS)[number];

/**
 * Who may relax a fact (domain.md 1): the asylum authority for asylum facts, otherwise the
 * caseworkers of the procedure it was recorded under. A supervisor may relax either, with a
 * written justification.
 */
export const FACT_OWNERS = ['asylum-authority', 'procedure'] as const;
export type FactOwner = (typeof FACT_OWNERS)[number];

/** 1: the first value is tighter; 0: as tight; -1: looser; undefined: neither (a relaxation). */
type Comparison = -1 | 0 | 1 | undefined;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The order of one field's values. `undefined` is the engine's reading of nothing recorded;
 * `join` combines two records (never `undefined`: an absent record is no statement).
 */
interface ValueOrder<T> {
  compare(a: T | undefined, b: T | undefined): Comparison;
  /** Removing this record may loosen a combination in which another procedure's record is looser. */
  removalLoosens(value: T): boolean;
  /** The tightest reading of two records of the same fact. */
  join(a: T, b: T): T;
}

interface FieldSpec<T> {
  /** In words, for the README and the API documentation. */
  readonly type: string;
  readonly rules: readonly RuleId[];
  /** Also read by the policy settings (per-agreement scope). */
  readonly settings?: boolean;
  readonly owner: FactOwner;
  readonly tighter: string;
  readonly order: ValueOrder<T>;
}

const sign = (n: number): Comparison => (n > 0 ? 1 : n < 0 ? -1 : 0);

function coverage(aCoversB: boolean, bCoversA: boolean): Comparison {
  if (aCoversB && bCoversA) return 0;
  if (aCoversB) return 1;
  if (bCoversA) return -1;
  return undefined;
}

/** A total preorder given by a numeric key (greater is tighter). */
function byKey<T>(
  key: (value: T | undefined) => number,
  removalLoosens: (value: T) => boolean,
): ValueOrder<T> {
  return {
    compare: (a, b) => sign(key(a) - key(b)),
    removalLoosens,
    join: (a, b) => (key(b) > key(a) ? b : a),
  };
}

// --- Scalar orders -------------------------------------------------------------------------------

/** true is tighter (the engine reads `=== true`). */
const TRUE_IS_TIGHTER = byKey<boolean>(
  (value) => (value === true ? 1 : 0),
  (value) => value === true,
);

/** true is looser: a recorded `false` outweighs another procedure's `true`. */
const TRUE_IS_LOOSER = byKey<boolean>(
  (value) => (value === true ? 0 : 1),
  (value) => value !== true,
);

/** A reference to a record (present and non-blank: recorded) is looser than none. */
const REFERENCE_IS_LOOSER = byKey<string>(
  (value) => (value !== undefined && recorded(value) ? 0 : 1),
  (value) => !recorded(value),
);

/** Facts the engine reads only in explanations. */
function neutral<T>(): ValueOrder<T> {
  return { compare: () => 0, removalLoosens: () => false, join: (a) => a };
}

/** Any change is a relaxation: neither value is tighter in every case. */
function incomparable<T>(same: (a: T | undefined, b: T | undefined) => boolean): ValueOrder<T> {
  return {
    compare: (a, b) => (same(a, b) ? 0 : undefined),
    removalLoosens: () => true,
    join: (a) => a,
  };
}

function stateSet(values: readonly string[] | undefined): Set<string> {
  return new Set((values ?? []).map(stateCode));
}

function coversStates(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return [...b].every((state) => a.has(state));
}

function unionStates(a: readonly string[], b: readonly string[]): string[] {
  const seen = stateSet(a);
  return [...a, ...b.filter((state) => !seen.has(stateCode(state)))];
}

/** More States is tighter (H-1 shields from each, W-7 looks for each). */
const STATES: ValueOrder<readonly string[]> = {
  compare: (a, b) => {
    const [first, second] = [stateSet(a), stateSet(b)];
    return coverage(coversStates(first, second), coversStates(second, first));
  },
  removalLoosens: (value) => value.length > 0,
  join: unionStates,
};

/** One State: recording it is tighter than none; replacing it drops a State (a relaxation). */
const ONE_STATE: ValueOrder<string> = {
  compare: (a, b) => STATES.compare(a === undefined ? [] : [a], b === undefined ? [] : [b]),
  removalLoosens: () => true,
  // The other procedure's State is kept among the nationalities (see joinPersons).
  join: (a) => a,
};

/**
 * H-1 protects a claim "during the procedure and after it ends"; H-4 blocks a return while a claim
 * is pending or protection granted. Anything but `none` is a claim.
 */
const ASYLUM_RANK: Readonly<Record<AsylumStatus, number>> = {
  none: 0,
  'rejected-final': 1,
  withdrawn: 1,
  pending: 2,
  'rejected-appealable': 2,
  granted: 2,
};

const ASYLUM_STATUS = byKey<AsylumStatus>(
  (status) => (status === undefined ? 0 : (ASYLUM_RANK[status] ?? 1)),
  (status) => (ASYLUM_RANK[status] ?? 1) > 0,
);

/**
 * H-4 passes only a done assessment that found no risk; among those, a later one passes more
 * often when the settings require a recent one (an undated one never does). Removing even a
 * no-risk assessment may let another procedure's more recent one through: always a relaxation.
 */
function assessmentKey(assessment: RiskAssessmentFacts | undefined): [number, number] {
  if (assessment?.done !== true || assessment.outcome !== 'no-risk') return [1, 0];
  const at = assessment.at === undefined ? Number.NaN : Date.parse(assessment.at);
  return [0, Number.isNaN(at) ? Number.POSITIVE_INFINITY : -at];
}

const RISK_ASSESSMENT: ValueOrder<RiskAssessmentFacts> = {
  compare: (a, b) => {
    const [first, second] = [assessmentKey(a), assessmentKey(b)];
    return sign(first[0] - second[0]) || sign(first[1] - second[1]);
  },
  removalLoosens: () => true,
  join: (a, b) => (RISK_ASSESSMENT.compare(b, a) === 1 ? b : a),
};

/** As H-4 reads it: a bare date runs to the end of that day (UTC); unreadable runs for ever. */
export function reflectionPeriodEnd(until: string): number {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(until)
    ? Date.parse(`${until}T23:59:59.999Z`)
    : Date.parse(until);
  return Number.isNaN(end) ? Number.POSITIVE_INFINITY : end;
}

const REFLECTION_PERIOD = byKey<{ readonly until: string }>(
  (period) => (period === undefined ? Number.NEGATIVE_INFINITY : reflectionPeriodEnd(period.until)),
  () => true,
);

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/**
 * The instant a person born on `dateOfBirth` is 18 at the latest, as `mayBeUnder18` reads the
 * date (a partial date counts from its latest possible day; an unreadable one may be anything).
 */
export function latestEighteenthBirthday(dateOfBirth: string): number {
  const match = PARTIAL_DATE.exec(dateOfBirth.trim());
  if (!match) return Number.POSITIVE_INFINITY;
  const year = Number(match[1]);
  const month = match[2] === undefined ? 12 : Number(match[2]);
  const lastDayOfMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = match[3] === undefined ? lastDayOfMonth : Number(match[3]);
  return Date.UTC(year + 18, month - 1, day);
}

/** A person who is a child for longer is tighter (H-5 needs its four records until then). */
const DATE_OF_BIRTH = byKey<string>(
  (date) => (date === undefined ? Number.NEGATIVE_INFINITY : latestEighteenthBirthday(date)),
  () => true,
);

/** Absent, the case-level flag decides (W-5): `false` overrides it, `true` is the tightest. */
const PERSON_TESTIMONY = byKey<boolean>(
  (value) => (value === undefined ? 0.5 : value ? 1 : 0),
  (value) => value,
);

const GUARDIAN = byKey<GuardianFacts>(
  (guardian) => (guardian?.independentOfRequestingAgency === true ? 0 : 1),
  (guardian) => guardian.independentOfRequestingAgency !== true,
);

/**
 * Records keyed by what they are about, each granting (a consent given, an approval) or not. A
 * record that grants is looser than none; one that does not outweighs another procedure's grant
 * of the same key, so removing it is a relaxation.
 */
function keyedGrants<T>(
  key: (item: T) => string,
  grants: (item: T) => boolean,
): ValueOrder<readonly T[]> {
  const states = (items: readonly T[] | undefined) => {
    const byKey = new Map<string, boolean>();
    for (const item of items ?? []) {
      byKey.set(key(item), (byKey.get(key(item)) ?? true) && grants(item));
    }
    return byKey;
  };
  // a ⊒ b: every refusal of b is a refusal in a, every grant of a is a grant in b.
  const covers = (a: Map<string, boolean>, b: Map<string, boolean>) =>
    [...b].every(([k, granted]) => granted || a.get(k) === false) &&
    [...a].every(([k, granted]) => !granted || b.get(k) === true);
  return {
    compare: (a, b) => {
      const [first, second] = [states(a), states(b)];
      return coverage(covers(first, second), covers(second, first));
    },
    removalLoosens: (items) => items.some((item) => !grants(item)),
    join: (a, b) => {
      const refusals = new Map(b.filter((item) => !grants(item)).map((item) => [key(item), item]));
      const own = new Set(a.map(key));
      return [
        ...a.map((item) => (grants(item) ? (refusals.get(key(item)) ?? item) : item)),
        ...b.filter((item) => !own.has(key(item))),
      ];
    },
  };
}

/** H-10 reads consents per category, purpose and (when given) reference. */
const CONSENTS = keyedGrants<ConsentFacts>(
  (consent) => `${consent.category}\u0000${consent.purpose}\u0000${consent.reference ?? ''}`,
  (consent) => consent.given && consent.withdrawn !== true,
);

/** H-9 reads approvals per action and territory. */
const JIT_ACTIONS = keyedGrants<JitActionFacts>(
  (action) => `${action.actionId}\u0000${stateCode(action.territoryState)}`,
  (action) => action.decision === 'approved',
);

const PROTECTED_ROLES: readonly string[] = ['victim', 'witness', 'claimant'];

/** As H-3 reads a proceeding: it blocks a return while open, unless released and signed off. */
function blocksReturn(proceeding: ProceedingFacts): boolean {
  return (
    proceeding.open !== false &&
    PROTECTED_ROLES.includes(proceeding.role) &&
    !(recorded(proceeding.releaseRequestedByPerson) && recorded(proceeding.lawyerSignOff))
  );
}

interface ProceedingsReading {
  /** Kinds and roles of the proceedings that block a return. */
  readonly blocking: Set<string>;
  /** A compensation proceeding is listed: H-3 then no longer reads `compensationClaimOpen`. */
  readonly compensationListed: boolean;
  readonly compensationBlocks: boolean;
}

function readProceedings(proceedings: readonly ProceedingFacts[] | undefined): ProceedingsReading {
  const list = proceedings ?? [];
  const blocking = list.filter(blocksReturn);
  return {
    blocking: new Set(blocking.map((p) => `${p.kind}/${p.role}`)),
    compensationListed: list.some((p) => p.kind === 'compensation'),
    compensationBlocks: blocking.some((p) => p.kind === 'compensation'),
  };
}

function coversProceedings(a: ProceedingsReading, b: ProceedingsReading): boolean {
  return (
    [...b.blocking].every((k) => a.blocking.has(k)) &&
    (!a.compensationListed || b.compensationListed || a.compensationBlocks)
  );
}

/**
 * More blocking proceedings is tighter. Listing a compensation proceeding that does not block
 * lifts H-3's reading of an open compensation claim: a relaxation.
 */
const PROCEEDINGS: ValueOrder<readonly ProceedingFacts[]> = {
  compare: (a, b) => {
    const [first, second] = [readProceedings(a), readProceedings(b)];
    return coverage(coversProceedings(first, second), coversProceedings(second, first));
  },
  removalLoosens: (proceedings) => proceedings.some(blocksReturn),
  join: (a, b) => {
    const seen = new Set(a.map((p) => canonical(p)));
    return [...a, ...b.filter((p) => !seen.has(canonical(p)))];
  },
};

const SUBJECT_OF_CASE = incomparable<boolean>((a, b) => (a === true) === (b === true));
const AGREEMENT = incomparable<string>(
  (a, b) => (a?.trim() ? a : undefined) === (b?.trim() ? b : undefined),
);

// --- The fields ----------------------------------------------------------------------------------

type PersonLeaf = Exclude<keyof PersonFacts, 'personKey' | 'personIndex' | 'asylum' | 'child'>;
type CaseLeaf = Exclude<keyof CaseFacts, 'persons'>;
type SpecsOf<T, K extends keyof T> = { readonly [F in K]-?: FieldSpec<NonNullable<T[F]>> };

const asylumOwned = 'asylum-authority' as const;
const procedureOwned = 'procedure' as const;
const CONCERNED: readonly RuleId[] = ['H-1', 'H-3', 'H-4', 'H-5', 'W-1', 'W-7'];

/** Fields of a person, besides their identity (`personKey`, else `personIndex`). */
const PERSON_FIELDS: SpecsOf<PersonFacts, PersonLeaf> = {
  subjectOfCase: {
    type: 'boolean',
    rules: CONCERNED,
    owner: procedureOwned,
    tighter:
      'neither: a subject is checked in every message of the case, and also counts as the returnee; any change is a relaxation',
    order: SUBJECT_OF_CASE,
  },
  label: {
    type: 'string',
    rules: [],
    owner: procedureOwned,
    tighter: 'neither (explanations only)',
    order: neutral<string>(),
  },
  nationalities: {
    type: 'ISO 3166-1 alpha-2[]',
    rules: ['H-1', 'W-6', 'W-7'],
    owner: procedureOwned,
    tighter:
      'more States; but the first State recorded for a person makes their States known, and the first nationality or origin narrows W-6 (relaxations, see README)',
    order: STATES,
  },
  countryOfOrigin: {
    type: 'ISO 3166-1 alpha-2',
    rules: ['H-1', 'W-6', 'W-7'],
    owner: procedureOwned,
    tighter:
      'one recorded > none; another State is a relaxation; the first State of origin or nationality recorded for a person is a relaxation (W-6)',
    order: ONE_STATE,
  },
  dateOfBirth: {
    type: 'date: YYYY, YYYY-MM or YYYY-MM-DD (unreadable: may be a child’s)',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'a later 18th birthday (a child for longer) > an earlier one > none',
    order: DATE_OF_BIRTH,
  },
  nonRefoulementRiskOpen: {
    type: 'boolean',
    rules: ['H-4'],
    owner: asylumOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  riskAssessment: {
    type: '{ done, at?, outcome?: no-risk | risk | inconclusive, reference? }',
    rules: ['H-4'],
    owner: procedureOwned,
    tighter:
      'none, not done, risk, inconclusive > done with no risk found (an older or undated one > a later one); removing one is a relaxation',
    order: RISK_ASSESSMENT,
  },
  openProceedings: {
    type: '{ kind, role, open?, releaseRequestedByPerson?, lawyerSignOff? }[]',
    rules: ['H-3'],
    owner: procedureOwned,
    tighter:
      'more proceedings that block a return (open, as victim, witness or claimant, not released and signed off); removing one, or listing a compensation proceeding that does not block, is a relaxation',
    order: PROCEEDINGS,
  },
  reflectionPeriod: {
    type: '{ until: date or timestamp }',
    rules: ['H-4'],
    owner: procedureOwned,
    tighter: 'a later end > an earlier end > none',
    order: REFLECTION_PERIOD,
  },
  victim: {
    type: 'boolean',
    rules: ['H-2', 'H-7', 'W-3', 'W-4', 'W-5'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  statusOffences: {
    type: 'boolean',
    rules: ['H-7'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  consents: {
    type: '{ category, purpose, given, withdrawn?, reference? }[]',
    rules: ['H-10'],
    owner: procedureOwned,
    tighter:
      'per category, purpose and reference: not given or withdrawn > none > given; removing a refusal is a relaxation',
    order: CONSENTS,
  },
  testimonyExists: {
    type: 'boolean',
    rules: ['W-5'],
    owner: procedureOwned,
    tighter: 'true > none (the case-level flag decides) > false',
    order: PERSON_TESTIMONY,
  },
  compensationClaimOpen: {
    type: 'boolean',
    rules: ['H-3', 'W-11'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  returnVoluntary: {
    type: 'boolean',
    rules: ['W-1'],
    owner: procedureOwned,
    tighter: 'false > none > true',
    order: TRUE_IS_LOOSER,
  },
  identityPseudonymised: {
    type: 'boolean',
    rules: ['W-3'],
    owner: procedureOwned,
    tighter: 'false > none > true',
    order: TRUE_IS_LOOSER,
  },
  identityProtectiveMeasures: {
    type: 'reference',
    rules: ['W-3'],
    owner: procedureOwned,
    tighter: 'none > a recorded reference',
    order: REFERENCE_IS_LOOSER,
  },
};

const ASYLUM_FIELDS: SpecsOf<AsylumFacts, keyof AsylumFacts> = {
  status: {
    type: `${Object.keys(ASYLUM_RANK).join(' | ')}`,
    rules: ['H-1', 'H-4', 'W-7'],
    owner: asylumOwned,
    tighter: 'pending, rejected-appealable, granted > rejected-final, withdrawn > none',
    order: ASYLUM_STATUS,
  },
  shieldFrom: {
    type: 'ISO 3166-1 alpha-2[]',
    rules: ['H-1', 'W-7'],
    owner: asylumOwned,
    tighter:
      'more States; but the first State recorded for a person makes their States known, and the first nationality or origin narrows W-6 (relaxations, see README)',
    order: STATES,
  },
};

const CHILD_FIELDS: SpecsOf<ChildFacts, keyof ChildFacts> = {
  isChild: {
    type: 'boolean',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  ageUncertain: {
    type: 'boolean',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  bestInterestsDetermination: {
    type: 'reference',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'none > a recorded reference',
    order: REFERENCE_IS_LOOSER,
  },
  guardian: {
    type: '{ reference?, independentOfRequestingAgency }',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'none, or not independent > independent of the requesting agency',
    order: GUARDIAN,
  },
  viewsRecorded: {
    type: 'reference',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'none > a recorded reference',
    order: REFERENCE_IS_LOOSER,
  },
  familyAssessment: {
    type: 'reference',
    rules: ['H-5'],
    owner: procedureOwned,
    tighter: 'none > a recorded reference',
    order: REFERENCE_IS_LOOSER,
  },
};

const CASE_FIELDS: SpecsOf<CaseFacts, CaseLeaf> = {
  legalBasisRecorded: {
    type: 'boolean',
    rules: ['W-2'],
    owner: procedureOwned,
    tighter: 'false > none > true',
    order: TRUE_IS_LOOSER,
  },
  agreementId: {
    type: 'string',
    rules: ['W-2'],
    settings: true,
    owner: procedureOwned,
    tighter:
      'neither: an agreement satisfies W-2 and selects its settings, which add rules; any change is a relaxation',
    order: AGREEMENT,
  },
  testimonyExists: {
    type: 'boolean',
    rules: ['W-5'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  asylumFlagsInCase: {
    type: 'boolean',
    rules: ['W-7'],
    owner: asylumOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  asylumAuthoritySignOff: {
    type: 'reference',
    rules: ['W-7'],
    owner: asylumOwned,
    tighter: 'none > a recorded reference',
    order: REFERENCE_IS_LOOSER,
  },
  compensationClaimOpen: {
    type: 'boolean',
    rules: ['W-11'],
    owner: procedureOwned,
    tighter: 'true > false',
    order: TRUE_IS_TIGHTER,
  },
  jitActions: {
    type: '{ actionId, territoryState, decision: pending | approved | refused }[]',
    rules: ['H-9'],
    owner: procedureOwned,
    tighter:
      'per action and territory: pending or refused > none > approved; removing one not approved is a relaxation',
    order: JIT_ACTIONS,
  },
};

/** A fact as the README and the API document it. */
export interface FactField {
  /** `persons[].asylum.status`, `legalBasisRecorded`. */
  readonly field: string;
  readonly type: string;
  readonly rules: readonly RuleId[];
  /** Also selects per-agreement policy settings. */
  readonly settings: boolean;
  readonly owner: FactOwner;
  readonly tighter: string;
}

function describe(prefix: string, specs: Record<string, FieldSpec<never>>): FactField[] {
  return Object.entries(specs).map(([name, spec]) => ({
    field: `${prefix}${name}`,
    type: spec.type,
    rules: spec.rules,
    settings: spec.settings === true,
    owner: spec.owner,
    tighter: spec.tighter,
  }));
}

type AnySpecs = Record<string, FieldSpec<never>>;

/** Every fact the engine reads, with the rules that read it, its order and its owner. */
export const FACT_FIELDS: readonly FactField[] = [
  {
    field: 'persons[].personKey',
    type: 'string',
    rules: [],
    settings: false,
    owner: procedureOwned,
    tighter: 'identity: the person named in a message with this reference (P1)',
  },
  {
    field: 'persons[].personIndex',
    type: 'integer ≥ 0',
    rules: [],
    settings: false,
    owner: procedureOwned,
    tighter: 'identity, when there is no personKey: the person at this position in the message',
  },
  ...describe('persons[].', PERSON_FIELDS as unknown as AnySpecs),
  ...describe('persons[].asylum.', ASYLUM_FIELDS as unknown as AnySpecs),
  ...describe('persons[].child.', CHILD_FIELDS as unknown as AnySpecs),
  ...describe('', CASE_FIELDS as unknown as AnySpecs),
];

/** The facts the asylum authority owns: all it reads and records of a case's facts. */
export const ASYLUM_AUTHORITY_FACTS: {
  readonly person: readonly (keyof PersonFacts)[];
  readonly case: readonly (keyof CaseFacts)[];
} = {
  person: [
    'asylum',
    ...(Object.keys(PERSON_FIELDS) as PersonLeaf[]).filter(
      (name) => PERSON_FIELDS[name].owner === asylumOwned,
    ),
  ],
  case: (Object.keys(CASE_FIELDS) as CaseLeaf[]).filter(
    (name) => CASE_FIELDS[name].owner === asylumOwned,
  ),
};

// --- Classifying a change ------------------------------------------------------------------------

export interface FactChange {
  /** Where: `persons[key=P1].asylum.status`, `persons[index=0].riskAssessment`, `agreementId`. */
  readonly path: string;
  /** Which fact of FACT_FIELDS. */
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly direction: FactDirection;
  /** Who may make it when it is a relaxation (any of them). */
  readonly owners: readonly FactOwner[];
  readonly rules: readonly RuleId[];
  /** Why a change that looks tighter is a relaxation. */
  readonly reason?: string;
}

/** How a person of the facts is matched to the persons of a message (the engine's `matches`). */
export function personIdentity(person: PersonFacts, position: number): string {
  if (person.personKey !== undefined) return `key=${person.personKey}`;
  if (person.personIndex !== undefined) return `index=${person.personIndex}`;
  return `position=${position}`;
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** Key order does not matter; `undefined` members are dropped (as JSON would). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : inner,
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isAbsent(a) || isAbsent(b)) return isAbsent(a) && isAbsent(b);
  return canonical(a) === canonical(b);
}

function classify<T>(
  path: string,
  field: string,
  before: T | null | undefined,
  after: T | null | undefined,
  spec: FieldSpec<T>,
): FactChange | undefined {
  if (sameValue(before, after)) return undefined;
  const { order } = spec;
  let comparison: Comparison;
  let loosens: boolean;
  if (isAbsent(before)) {
    comparison = order.compare(after ?? undefined, undefined);
    loosens = comparison === undefined || comparison < 0;
  } else if (isAbsent(after)) {
    comparison = order.compare(undefined, before);
    loosens = order.removalLoosens(before) || comparison === undefined || comparison < 0;
  } else {
    comparison = order.compare(after, before);
    loosens = comparison === undefined || comparison < 0;
  }
  return {
    path,
    field,
    ...(!isAbsent(before) && { before }),
    ...(!isAbsent(after) && { after }),
    direction: loosens ? 'relaxed' : comparison === 0 ? 'neutral' : 'tightened',
    owners: [spec.owner],
    rules: spec.rules,
  };
}

function classifyAll<T extends object>(
  prefix: string,
  fieldPrefix: string,
  specs: Record<string, FieldSpec<never>>,
  before: T | undefined,
  after: T | undefined,
): FactChange[] {
  return Object.entries(specs).flatMap(([name, spec]) => {
    const change = classify(
      `${prefix}${name}`,
      `${fieldPrefix}${name}`,
      (before as Record<string, never> | undefined)?.[name],
      (after as Record<string, never> | undefined)?.[name],
      spec,
    );
    return change ? [change] : [];
  });
}

/** The States a person's facts name: once any is recorded, H-1 knows whom to shield them from. */
function recordedStates(person: PersonFacts | undefined): Set<string> {
  return new Set([
    ...stateSet(person?.nationalities),
    ...(person?.countryOfOrigin !== undefined ? [stateCode(person.countryOfOrigin)] : []),
    ...stateSet(person?.asylum?.shieldFrom),
  ]);
}

const STATE_FIELDS = new Set([
  'persons[].nationalities',
  'persons[].countryOfOrigin',
  'persons[].asylum.shieldFrom',
]);

/** The States a person is of: what W-6 needs known for everyone concerned. */
function originStates(person: PersonFacts | undefined): Set<string> {
  return new Set([
    ...stateSet(person?.nationalities),
    ...(person?.countryOfOrigin !== undefined ? [stateCode(person.countryOfOrigin)] : []),
  ]);
}

const ORIGIN_FIELDS = new Set(['persons[].nationalities', 'persons[].countryOfOrigin']);

/** Marks the changes recording a person's first State(s) in `fields` as relaxations. */
function relaxing(
  changes: FactChange[],
  fields: ReadonlySet<string>,
  reason: string,
): FactChange[] {
  return changes.map((change) =>
    fields.has(change.field) && !isAbsent(change.after)
      ? { ...change, direction: 'relaxed', owners: ['procedure', 'asylum-authority'], reason }
      : change,
  );
}

function byIdentity(persons: readonly PersonFacts[] | undefined): Map<string, PersonFacts> {
  return new Map(
    (persons ?? []).map((person, position) => [personIdentity(person, position), person]),
  );
}

function classifyPerson(
  identity: string,
  before: PersonFacts | undefined,
  after: PersonFacts | undefined,
): FactChange[] {
  const prefix = `persons[${identity}].`;
  const changes = [
    ...classifyAll(prefix, 'persons[].', PERSON_FIELDS as unknown as AnySpecs, before, after),
    ...classifyAll(
      `${prefix}asylum.`,
      'persons[].asylum.',
      ASYLUM_FIELDS as unknown as AnySpecs,
      before?.asylum,
      after?.asylum,
    ),
    ...classifyAll(
      `${prefix}child.`,
      'persons[].child.',
      CHILD_FIELDS as unknown as AnySpecs,
      before?.child,
      after?.child,
    ),
  ];
  // With a key, the engine never reads the index: it only documents the position.
  if (after?.personKey !== undefined && before?.personIndex !== after.personIndex) {
    changes.push({
      path: `${prefix}personIndex`,
      field: 'persons[].personIndex',
      ...(before?.personIndex !== undefined && { before: before.personIndex }),
      ...(after.personIndex !== undefined && { after: after.personIndex }),
      direction: 'neutral',
      owners: [procedureOwned],
      rules: [],
    });
  }
  // H-1 blocks asylum data abroad while a claimant's States are unknown; the first State
  // recorded for the person makes them known: a relaxation, whichever field records it.
  if (recordedStates(before).size === 0 && recordedStates(after).size > 0) {
    return relaxing(
      changes,
      STATE_FIELDS,
      'the first State recorded for the person: H-1 no longer blocks asylum data abroad as going to an unknown State',
    );
  }
  // W-6 takes every foreign State for a possible country of origin while a person's nationality
  // and origin are unknown: the first one recorded narrows that, even with shielded States known.
  if (originStates(before).size === 0 && originStates(after).size > 0) {
    return relaxing(
      changes,
      ORIGIN_FIELDS,
      'the first nationality or country of origin recorded for the person: W-6 no longer takes every foreign State for a possible country of origin',
    );
  }
  return changes;
}

/**
 * What changed from one version of a procedure's facts to the next, field by field, and in which
 * direction. Persons are matched by identity (`personKey`, else `personIndex`); their order must
 * not change (the engine matches the first person that fits), or the change is a relaxation.
 */
export function classifyFactChanges(before: CaseFacts, after: CaseFacts): FactChange[] {
  const changes = classifyAll('', '', CASE_FIELDS as unknown as AnySpecs, before, after);
  const [earlier, later] = [byIdentity(before.persons), byIdentity(after.persons)];
  for (const identity of new Set([...earlier.keys(), ...later.keys()])) {
    changes.push(...classifyPerson(identity, earlier.get(identity), later.get(identity)));
  }
  const kept = [...later.keys()].filter((identity) => earlier.has(identity));
  const previousOrder = [...earlier.keys()].filter((identity) => later.has(identity));
  if (kept.join('\u0000') !== previousOrder.join('\u0000')) {
    changes.push({
      path: 'persons',
      field: 'persons',
      before: previousOrder,
      after: kept,
      direction: 'relaxed',
      owners: [procedureOwned],
      rules: CONCERNED,
      reason: 'the order of the persons changed: another record may now match a person first',
    });
  }
  return changes;
}

/** The overall direction of a list of changes: relaxed if any relaxes, else tightened if any does. */
export function overallDirection(changes: readonly FactChange[]): FactDirection {
  if (changes.some((change) => change.direction === 'relaxed')) return 'relaxed';
  if (changes.some((change) => change.direction === 'tightened')) return 'tightened';
  return 'neutral';
}

// --- Combining the facts of several procedures ---------------------------------------------------

function joinSpecs<T extends object>(
  specs: Record<string, FieldSpec<never>>,
  a: T,
  b: T,
  skip: ReadonlySet<string> = new Set(),
): T {
  const result: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [name, spec] of Object.entries(specs)) {
    if (skip.has(name)) continue;
    const [first, second] = [
      (a as Record<string, never>)[name],
      (b as Record<string, never>)[name],
    ];
    if (isAbsent(second)) continue;
    result[name] = isAbsent(first) ? second : spec.order.join(first, second);
  }
  return result as T;
}

/** Not combined into another person: who the record is, and whether it is the case's subject. */
const OWN_ONLY = new Set(['subjectOfCase', 'label']);

function joinPersons(a: PersonFacts, b: PersonFacts, folding: boolean): PersonFacts {
  const joined: PersonFacts = joinSpecs(
    PERSON_FIELDS as unknown as AnySpecs,
    a,
    b,
    folding ? OWN_ONLY : new Set(),
  );
  const result: Mutable<PersonFacts> = { ...joined };
  // One country of origin is kept: another procedure's is kept among the nationalities.
  if (
    a.countryOfOrigin !== undefined &&
    b.countryOfOrigin !== undefined &&
    stateCode(a.countryOfOrigin) !== stateCode(b.countryOfOrigin)
  ) {
    result.nationalities = unionStates(joined.nationalities ?? [], [b.countryOfOrigin]);
  }
  if (a.asylum !== undefined && b.asylum !== undefined) {
    result.asylum = joinSpecs(ASYLUM_FIELDS as unknown as AnySpecs, a.asylum, b.asylum);
  } else {
    result.asylum = a.asylum ?? b.asylum;
  }
  if (a.child !== undefined && b.child !== undefined) {
    result.child = joinSpecs(CHILD_FIELDS as unknown as AnySpecs, a.child, b.child);
  } else {
    result.child = a.child ?? b.child;
  }
  if (result.asylum === undefined) delete result.asylum;
  if (result.child === undefined) delete result.child;
  return result;
}

function isEmptyFacts(facts: CaseFacts): boolean {
  return Object.entries(facts).every(
    ([name, value]) => isAbsent(value) || (name === 'persons' && (value as unknown[]).length === 0),
  );
}

/**
 * The tightest reading of the facts several procedures recorded for one case, field by field
 * (an absent record is no statement), as one `CaseFacts` the engine reads:
 * - persons of the same identity are joined; a person with a key also takes in the records by
 *   position that could be the same person (the engine cannot tell which position a key has in a
 *   message): it may be stricter than needed, never looser;
 * - a person's `testimonyExists: false` stands only where every procedure that flags testimony
 *   in the case says so of that person too.
 * One procedure's facts are returned as they are.
 */
export function combineFacts(all: readonly CaseFacts[]): CaseFacts {
  const docs = all.filter((facts) => !isEmptyFacts(facts));
  if (docs.length === 0) return {};
  if (docs.length === 1) return docs[0];

  let combined: CaseFacts = {};
  // Case-level fields only: the persons are joined below.
  for (const facts of docs)
    combined = joinSpecs(CASE_FIELDS as unknown as AnySpecs, combined, facts);

  const keyed = new Map<string, PersonFacts>();
  const indexed = new Map<number, PersonFacts>();
  const unidentified: PersonFacts[] = [];
  for (const facts of docs) {
    for (const person of facts.persons ?? []) {
      if (person.personKey !== undefined) {
        const known = keyed.get(person.personKey);
        keyed.set(person.personKey, known ? joinPersons(known, person, false) : person);
      } else if (person.personIndex !== undefined) {
        const known = indexed.get(person.personIndex);
        indexed.set(person.personIndex, known ? joinPersons(known, person, false) : person);
      } else {
        unidentified.push(person);
      }
    }
  }
  // A procedure's record by position matches whoever stands there, with or without a key: a
  // keyed person takes in every such record that a procedure would have matched first.
  for (const [key, person] of keyed) {
    let folded = person;
    for (const facts of docs) {
      const persons = facts.persons ?? [];
      const own = persons.findIndex((candidate) => candidate.personKey === key);
      for (const candidate of own === -1 ? persons : persons.slice(0, own)) {
        if (candidate.personKey === undefined && candidate.personIndex !== undefined) {
          folded = joinPersons(folded, candidate, true);
        }
      }
    }
    keyed.set(key, folded);
  }

  let persons = [...keyed.values(), ...indexed.values(), ...unidentified];
  const testimonyFlagged = docs.filter((facts) => facts.testimonyExists === true);
  if (testimonyFlagged.length > 0) {
    persons = persons.map((person, position) => {
      if (person.testimonyExists !== false) return person;
      const identity = personIdentity(person, position);
      const agreed = testimonyFlagged.every((facts) =>
        (facts.persons ?? []).some(
          (own, at) => personIdentity(own, at) === identity && own.testimonyExists === false,
        ),
      );
      if (agreed) return person;
      const flagged: Mutable<PersonFacts> = { ...person };
      delete flagged.testimonyExists;
      return flagged;
    });
  }
  return persons.length > 0 ? { ...combined, persons } : combined;
}
