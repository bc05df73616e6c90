import { ErrorCode, GatewayError } from '#libs/errors';
import {
  personIdentity,
  type CaseFacts,
  type ConsentFacts,
  type JitActionFacts,
  type PersonFacts,
} from '#libs/policy';

/*
 * How a change is applied to a procedure's facts (PUT and PATCH alike): nothing is replaced
 * wholesale. A field left out is left as it is; `null` removes it; a value replaces it (a nested
 * record or a list is one value). Persons are matched by `personKey`, else `personIndex`: a person
 * the body does not name is left as they are, a new one comes after the others (the engine matches
 * the first record that fits a person, so the order never changes).
 */

type Removable<T> = { [K in keyof T]?: T[K] | null };

export type PersonFactsUpdate = Removable<Omit<PersonFacts, 'personKey' | 'personIndex'>> & {
  readonly personKey?: string;
  readonly personIndex?: number;
};

export type CaseFactsUpdate = Removable<Omit<CaseFacts, 'persons'>> & {
  readonly persons?: readonly PersonFactsUpdate[] | null;
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function invalid(field: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.VALIDATION_FAILED, message, [{ field, message }]);
}

function applyFields<T extends object>(current: T, update: object, skip: readonly string[]): T {
  const result: Record<string, unknown> = { ...(current as Record<string, unknown>) };
  for (const [name, value] of Object.entries(update)) {
    if (skip.includes(name) || value === undefined) continue;
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result as T;
}

function uniqueBy<T>(items: readonly T[] | undefined, key: (item: T) => string): boolean {
  const keys = (items ?? []).map(key);
  return new Set(keys).size === keys.length;
}

const consentKey = (consent: ConsentFacts) =>
  `${consent.category}\u0000${consent.purpose}\u0000${consent.reference ?? ''}`;
const actionKey = (action: JitActionFacts) =>
  `${action.actionId}\u0000${action.territoryState.toUpperCase()}`;

/** The identity a person of the body is matched by; the body's own position for the error. */
function identityOf(person: PersonFactsUpdate, position: number): string {
  const personKey = person.personKey ?? undefined;
  const personIndex = personKey === undefined ? (person.personIndex ?? undefined) : undefined;
  if (personKey === undefined && personIndex === undefined) {
    throw invalid(
      `persons.${position}`,
      'a person of the facts is matched by personKey or personIndex: give one',
    );
  }
  return personIdentity({ personKey, personIndex }, position);
}

export function applyFactsUpdate(current: CaseFacts, update: CaseFactsUpdate): CaseFacts {
  const next: Mutable<CaseFacts> = applyFields(current, update, ['persons']);
  if (update.persons === null) {
    delete next.persons;
  } else if (update.persons !== undefined) {
    const persons = [...(current.persons ?? [])];
    const index = new Map(
      persons.map((person, position) => [personIdentity(person, position), position]),
    );
    const seen = new Set<string>();
    update.persons.forEach((change, position) => {
      const identity = identityOf(change, position);
      if (seen.has(identity)) {
        throw invalid(`persons.${position}`, `the body names ${identity} twice`);
      }
      seen.add(identity);
      const at = index.get(identity);
      if (at === undefined) {
        index.set(identity, persons.length);
        persons.push(applyFields({}, change, []));
      } else {
        persons[at] = applyFields(persons[at], change, ['personKey']);
      }
    });
    next.persons = persons;
  }
  (next.persons ?? []).forEach((person, position) => {
    if (!uniqueBy(person.consents, consentKey)) {
      throw invalid(
        `persons.${position}.consents`,
        'one consent per category, purpose and reference',
      );
    }
  });
  if (!uniqueBy(next.jitActions, actionKey)) {
    throw invalid('jitActions', 'one record per action and territory');
  }
  return next;
}
