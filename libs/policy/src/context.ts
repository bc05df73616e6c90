import type { DataCategory } from '#libs/procedures';
import type { PersonFacts } from './facts.js';
import { inferMeasures, type MeasuresAgainst } from './inference.js';
import type { PersonRef, PolicyInput, RegisterHit } from './input.js';
import {
  asRecord,
  asString,
  mayBeUnder18,
  personCategories,
  personsIn,
  stateCode,
  type NamedPerson,
} from './persons.js';
import { effectiveSettings, type EffectiveSettings } from './settings.js';

/*
 * What every rule reads: the input, the persons the message concerns with their facts and
 * register hits, and what follows from them (the States each must be shielded from, who is a
 * victim, who may be a child, whose return the message serves).
 */

export interface ConcernedPerson {
  /** For explanations (internal): `persons[0] (P1)`, `case subject V-3`. */
  readonly label: string;
  readonly named?: NamedPerson;
  readonly facts?: PersonFacts;
  readonly hits: readonly RegisterHit[];
  /** A claim for asylum or international protection was made (facts, body or register). */
  readonly hasClaim: boolean;
  /** H-1: the States whose authorities must learn nothing of the claim, nor that it exists. */
  readonly shieldFrom: ReadonlySet<string>;
  /** Nationalities and country of origin, as far as known. */
  readonly origins: ReadonlySet<string>;
  readonly isVictim: boolean;
  readonly mayBeChild: boolean;
}

export interface RuleContext {
  readonly input: PolicyInput;
  readonly now: Date;
  /** The caller's classification and what the persons of the body reveal. */
  readonly categories: ReadonlySet<DataCategory>;
  readonly named: readonly NamedPerson[];
  /** Named persons, case subjects, and register hits on positions the body does not have. */
  readonly concerned: readonly ConcernedPerson[];
  /** Everyone the case knows about: the concerned persons and the other persons of the facts. */
  readonly casePersons: readonly ConcernedPerson[];
  /** The recipient's State and the State its id names (they should agree; both count). */
  readonly recipientStates: ReadonlySet<string>;
  readonly crossBorder: boolean;
  /** Persons whose return the message serves; `null` when it serves no return. */
  readonly returnees: readonly ConcernedPerson[] | null;
  /** A request: the opening of a procedure, or a request within one. */
  readonly isRequest: boolean;
  /** Whom the message seeks to prosecute or detain, or is directed against: declared or read (H-7, W-4). */
  readonly measures: MeasuresAgainst;
  readonly agreementIds: ReadonlySet<string>;
  readonly settings: EffectiveSettings;
  /** Resolves a declared person reference to the concerned person it means. */
  resolve(ref: PersonRef): ConcernedPerson | undefined;
}

/** Message types that serve a return (TIP art. 8: nationality verification is for return). */
export const RETURN_MESSAGE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'nationality-verification': ['verification-request', 'travel-document-request'],
};

/** Message types that are requests (W-2, W-4). */
export const REQUEST_MESSAGE_TYPES: Readonly<Record<string, readonly string[]>> = {
  mla: ['request'],
  assets: ['identify', 'trace', 'freeze', 'seize', 'confiscate', 'enforce-foreign-order'],
  'nationality-verification': ['verification-request', 'travel-document-request'],
  jit: ['proposal', 'action-approval-request'],
};

const IDENTIFYING_ATTACHMENTS: ReadonlySet<string> = new Set([
  'identity-document',
  'photograph',
  'fingerprints',
]);

function authorityState(authorityId: string): string {
  return stateCode(authorityId.slice(0, 2));
}

function matches(facts: PersonFacts, person: NamedPerson): boolean {
  if (facts.personKey !== undefined) return facts.personKey === person.reference;
  return facts.personIndex === person.index;
}

function claimOf(facts: PersonFacts | undefined, named: NamedPerson | undefined, hits: number) {
  const asylum = facts?.asylum;
  return (
    hits > 0 ||
    named?.protectionStatus !== undefined ||
    (asylum !== undefined && (asylum.status !== 'none' || asylum.shieldFrom.length > 0))
  );
}

function concernedPerson(
  label: string,
  named: NamedPerson | undefined,
  facts: PersonFacts | undefined,
  hits: readonly RegisterHit[],
  now: Date,
): ConcernedPerson {
  const origins = new Set<string>(
    [
      ...(named?.nationalities ?? []),
      ...(named?.documentStates ?? []),
      ...(facts?.nationalities ?? []),
      ...(facts?.countryOfOrigin !== undefined ? [facts.countryOfOrigin] : []),
    ].map(stateCode),
  );
  const hasClaim = claimOf(facts, named, hits.length);
  const shieldFrom = new Set<string>();
  if (hasClaim) {
    for (const state of origins) shieldFrom.add(state);
    for (const state of facts?.asylum?.shieldFrom ?? []) shieldFrom.add(stateCode(state));
    for (const hit of hits) for (const state of hit.shieldFrom) shieldFrom.add(stateCode(state));
  }
  const roles = named?.roles ?? [];
  const child = facts?.child;
  // Any sign counts: a role, the child facts, or either date of birth (body or case).
  const datesOfBirth = [named?.dateOfBirth, facts?.dateOfBirth].filter(
    (date): date is string => date !== undefined,
  );
  const mayBeChild =
    roles.includes('child') ||
    roles.includes('age-uncertain') ||
    child?.isChild === true ||
    child?.ageUncertain === true ||
    datesOfBirth.some((date) => mayBeUnder18(date, now));
  return {
    label,
    ...(named !== undefined && { named }),
    ...(facts !== undefined && { facts }),
    hits,
    hasClaim,
    shieldFrom,
    origins,
    isVictim: roles.includes('victim') || facts?.victim === true,
    mayBeChild,
  };
}

function labelOf(person: NamedPerson): string {
  const where =
    person.kind === 'verification-subject'
      ? 'the person to verify'
      : person.path.replace(/^body\./, '');
  return person.reference !== undefined ? `${where} (${person.reference})` : where;
}

function agreementIdsOf(input: PolicyInput): Set<string> {
  const ids = new Set<string>();
  const add = (value: unknown) => {
    const id = asString(value);
    if (id !== undefined) ids.add(id);
  };
  add(input.facts.agreementId);
  add(input.body.agreementId);
  add(asRecord(input.body.legalBasis)?.instrument);
  add(input.body.legalBasis);
  return ids;
}

export function buildContext(input: PolicyInput): RuleContext {
  const now = input.now ?? new Date();
  const named = personsIn(input.body);
  const hits = input.registerHits ?? [];
  const factsList = input.facts.persons ?? [];
  const used = new Set<PersonFacts>();
  // The person a nationality verification names is the subject of its case (TIP art. 8(3)): the
  // case's one subject recorded without a key or position is theirs.
  const unplacedSubjects = factsList.filter(
    (facts) =>
      facts.subjectOfCase === true &&
      facts.personKey === undefined &&
      facts.personIndex === undefined,
  );
  const concerned: ConcernedPerson[] = named.map((person) => {
    let facts = factsList.find((candidate) => matches(candidate, person));
    if (!facts && person.kind === 'verification-subject' && unplacedSubjects.length === 1) {
      facts = unplacedSubjects[0];
    }
    if (facts) used.add(facts);
    const own = hits.filter((hit) => hit.personIndex === person.index);
    return concernedPerson(labelOf(person), person, facts, own, now);
  });
  factsList.forEach((facts, position) => {
    if (used.has(facts) || facts.subjectOfCase !== true) return;
    used.add(facts);
    concerned.push(
      concernedPerson(`case subject ${facts.label ?? position + 1}`, undefined, facts, [], now),
    );
  });
  // A hit on a position the body does not have (a person of a JSON attachment, or one named in
  // free text) still concerns this message: fail closed.
  const stray = hits.filter((hit) => !named.some((person) => person.index === hit.personIndex));
  for (const field of new Set(stray.map((hit) => hit.field))) {
    const label =
      field === undefined ? 'a person the register matched' : `a person named in ${field}`;
    const own = stray.filter((hit) => hit.field === field);
    concerned.push(concernedPerson(label, undefined, undefined, own, now));
  }
  const others = factsList
    .filter((facts) => !used.has(facts))
    .map((facts, position) =>
      concernedPerson(`case person ${facts.label ?? position + 1}`, undefined, facts, [], now),
    );
  const casePersons = [...concerned, ...others];

  const recipientStates = new Set([
    stateCode(input.recipient.state),
    authorityState(input.recipient.authorityId),
  ]);
  const senderState = stateCode(input.sender.state);
  const categories = new Set<DataCategory>([
    ...input.categories,
    ...personCategories(named),
    // Identity documents, photographs and fingerprints identify a person (H-2, W-3 read identity).
    ...(input.attachments ?? []).flatMap((attachment): DataCategory[] =>
      IDENTIFYING_ATTACHMENTS.has(attachment.category) ? ['identity'] : [],
    ),
  ]);

  const resolve = (ref: PersonRef): ConcernedPerson | undefined =>
    typeof ref === 'number'
      ? concerned.find((person) => person.named?.index === ref)
      : concerned.find(
          (person) => person.named?.reference === ref || person.facts?.personKey === ref,
        );

  const declaredReturns = input.declarations?.returnOf ?? [];
  const returnMessage = RETURN_MESSAGE_TYPES[input.procedure]?.includes(input.messageType) === true;
  let returnees: ConcernedPerson[] | null = null;
  if (returnMessage) {
    returnees = concerned.filter(
      (person) => person.named === undefined || person.named.kind !== 'family-member',
    );
  }
  if (declaredReturns.length > 0) {
    const declared = declaredReturns.map((ref) => resolve(ref));
    // A declared returnee the message does not name is checked with no facts: fail closed.
    const resolved = declared.map(
      (person, position) =>
        person ??
        concernedPerson(
          `declared returnee ${String(declaredReturns[position])}`,
          undefined,
          undefined,
          [],
          now,
        ),
    );
    returnees = [...new Set([...(returnees ?? []), ...resolved])];
  }

  const agreementIds = agreementIdsOf(input);
  return {
    input,
    now,
    categories,
    named,
    concerned,
    casePersons,
    recipientStates,
    crossBorder: !recipientStates.has(senderState) || recipientStates.size > 1,
    returnees,
    isRequest:
      input.channel === 'new-request' ||
      REQUEST_MESSAGE_TYPES[input.procedure]?.includes(input.messageType) === true,
    agreementIds,
    settings: effectiveSettings(input.settings, recipientStates, agreementIds),
    measures: inferMeasures(input, concerned, resolve),
    resolve,
  };
}

/** The union of the States the given persons must be shielded from. */
export function shieldedStates(persons: readonly ConcernedPerson[]): Set<string> {
  const states = new Set<string>();
  for (const person of persons) for (const state of person.shieldFrom) states.add(state);
  return states;
}

export function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((item) => b.has(item)).sort();
}
