import { nameReadings, type NameReading, type PersonNames } from './name-readings.js';
import {
  consonantSkeleton,
  normaliseDateOfBirth,
  normaliseDocumentNumber,
  normaliseStateCode,
  type NormalisedDate,
} from './normalise.js';

export type { PersonNames } from './name-readings.js';

/*
 * The identifier keys a person yields: canonical strings, one per way of recognising the person,
 * each later hashed with the node secret (keyed-hash.ts). Two records match when they share a key.
 *
 * The design is asymmetric. A person named in a message yields only the keys that fit what the
 * message states; a registration (the asylum authority's record) yields every key that a message
 * naming the same person could yield. So a message matches every registration compatible with it,
 * and a key weaker than what the message states is never derived from it: a message giving full
 * given names is not checked on the family name and date alone, which would match every
 * registration sharing a common family name and a birthday.
 *
 * Names (see name-readings.ts for the readings of compound, split and "FAMILY, Given" names):
 * - NAME: the given and family names of one reading, folded (normalise.ts), sorted, each once.
 *   A registration also yields `name-dob` for every non-empty subset of its given names with the
 *   family names: a message may omit a middle name. Only with the same full date: on a year, or
 *   on the names alone, one shared given name would match every namesake.
 * - MORE: a message yields, for every proper subset of its given names (none included) with the
 *   family names, a key matching a registration's complete names: the registration lacks a given
 *   name the message has (a middle name, or no given name at all). Only with the same full date.
 * - SKELETON: consonantSkeleton of NAME, at least four consonants over two names: Arabic script
 *   writes no short vowels (محمد → mhmd), nor do its Latin spellings agree on them (Mohamed,
 *   Muhammad, Mohammed → mhmd). Only with the same full date.
 * - FAMILY: the family names alone, from a message that gives no given name (nor initial).
 * - INITIALS: the family names and the initials of given names, from a message that gives its
 *   given names as initials only ("M. Abdel-Rahman"), with a full date of birth.
 *
 * Dates of birth are known to the day, to the month, to the year, or not at all, on either side.
 * Two dates agree when they agree as far as the less precise one goes: 1998-06-02 agrees with
 * 1998-06 and 1998, not with 1998-07 or 1998-07-14. The key kinds for NAME, by precision:
 *
 * | key           | canonical string (hashed)      | a registration has it       | a message has it   |
 * |---------------|--------------------------------|-----------------------------|--------------------|
 * | name-dob      | v2|name-dob|NAME|YYYY-MM-DD   | with a full date            | with a full date   |
 * | name-ym       | v2|name-ym|NAME|YYYY-MM       | with a full date or a month | with a month       |
 * | name-yob      | v2|name-yob|NAME|YYYY         | with any date               | with a year        |
 * | name-ym-part  | v2|name-ym-part|NAME|YYYY-MM  | with a month                | with a full date   |
 * | name-yob-part | v2|name-yob-part|NAME|YYYY    | with a year                 | with a full date or a month |
 * | name-no-dob   | v2|name-no-dob|NAME          | with no date                | with any date      |
 * | name          | v2|name|NAME                 | always                      | with no date       |
 *
 * and the other kinds:
 *
 * | key               | canonical string (hashed)                 | a registration has it | a message has it |
 * |-------------------|-------------------------------------------|-----------------------|------------------|
 * | more-names-dob    | v2|more-names-dob|NAME|YYYY-MM-DD        | complete names, full date | each proper subset, full date |
 * | skeleton-dob      | v2|skeleton-dob|SKELETON|YYYY-MM-DD      | full date             | full date        |
 * | family-dob        | v2|family-dob|FAMILY|YYYY-MM-DD          | full date             | no given name, full date |
 * | initials-dob      | v2|initials-dob|FAMILY|INITIALS|YYYY-MM-DD | full date         | initials only, full date |
 * | initials-ym-part  | v2|initials-ym-part|FAMILY|INITIALS|YYYY-MM | a month           | initials only, full date |
 * | initials-yob-part | v2|initials-yob-part|FAMILY|INITIALS|YYYY | a year              | initials only, full date |
 * | document          | v2|document|ISSUER|NUMBER                 | per document          | per document     |
 *
 * - Keys on a name alone (`name`, `name-no-dob`) need at least two names: a single given name is
 *   too common to block a message on.
 * - 1 January: many States record an unknown date of birth as 1 January of the estimated year.
 *   Such a date also counts as a year alone for NAME (both sides), and the weaker kinds (subsets
 *   of given names, more names, skeleton, family, initials) are not derived from it as a full
 *   date: they would collide across unrelated persons.
 * - ISSUER: the issuing State's ISO 3166-1 alpha-2 code; NUMBER: normaliseDocumentNumber, at
 *   least four characters. The document kind is left out: the same number is entered as a passport
 *   by one officer and as a travel document by another. A document with no number or no valid
 *   issuing State yields no key. The same number from the same issuer is one document: it
 *   matches whatever the names and dates.
 */

/** Bumped whenever a rule changes the canonical strings: old hashes then no longer match. */
export const KEY_VERSION = 'v2';

/** The kinds of key, the most telling first. */
export const KEY_KINDS = [
  'document',
  'name-dob',
  'more-names-dob',
  'skeleton-dob',
  'name-ym',
  'name-ym-part',
  'name-yob-part',
  'name-yob',
  'initials-dob',
  'family-dob',
  'initials-ym-part',
  'initials-yob-part',
  'name-no-dob',
  'name',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** One identifier key: its kind and its canonical string (which contains personal data). */
export interface IdentifierKey {
  readonly kind: KeyKind;
  readonly canonical: string;
}

/** An identity document, as in the gateway's `IdentityDocumentSchema` (the kind is not used). */
export interface PersonDocument {
  readonly kind?: string;
  readonly number?: string;
  readonly issuingState: string;
}

/** A person named in a message: structurally a subset of the gateway's `PersonSchema`. */
export interface PersonIdentifiers {
  readonly names: PersonNames;
  readonly dateOfBirth?: string;
  readonly documents?: readonly PersonDocument[];
}

/**
 * What the asylum authority registers about a protected person: every spelling of the names and
 * every date of birth on file (asylum files often hold several), and the documents. Never the
 * claim, its grounds or its status.
 */
export interface RegistrationIdentifiers {
  readonly names: readonly PersonNames[];
  readonly datesOfBirth?: readonly string[];
  readonly documents?: readonly PersonDocument[];
}

/** A registration built from one person record (a `PersonSchema`, for instance). */
export function registrationOf(person: PersonIdentifiers): RegistrationIdentifiers {
  return {
    names: [person.names],
    datesOfBirth: person.dateOfBirth === undefined ? [] : [person.dateOfBirth],
    documents: person.documents ?? [],
  };
}

const MIN_DOCUMENT_NUMBER_LENGTH = 4;
const MIN_SKELETON_CONSONANTS = 4;
/** Subsets of given names are enumerated up to this many names; beyond, single names only. */
const MAX_GIVEN_FOR_SUBSETS = 4;

function key(kind: KeyKind, ...parts: string[]): IdentifierKey {
  return { kind, canonical: [KEY_VERSION, kind, ...parts].join('|') };
}

/** NAME: names sorted, each once, separated by one space. */
function canonical(names: readonly string[]): string {
  return [...new Set(names)].sort().join(' ');
}

function nameCount(name: string): number {
  if (name === '') return 0;
  let count = 1;
  for (let at = name.indexOf(' '); at >= 0; at = name.indexOf(' ', at + 1)) count++;
  return count;
}

function isFirstOfJanuary(date: NormalisedDate): boolean {
  return date.precision === 'day' && date.iso.endsWith('-01-01');
}

/** A full date that the weaker kinds may use (not 1 January: see above). */
function isTellingFullDate(date: NormalisedDate): boolean {
  return date.precision === 'day' && !isFirstOfJanuary(date);
}

const month = (date: NormalisedDate) => date.iso.slice(0, 7);

/** NAME keys a message yields, for its date of birth (undefined: none or unreadable). */
function messageNameKeys(name: string, date: NormalisedDate | undefined): IdentifierKey[] {
  if (name === '') return [];
  const named = nameCount(name) >= 2;
  if (date === undefined) return named ? [key('name', name)] : [];
  const keys = named ? [key('name-no-dob', name)] : [];
  if (date.precision === 'day') {
    keys.push(
      key('name-dob', name, date.iso),
      key('name-ym-part', name, month(date)),
      key('name-yob-part', name, date.year),
    );
    if (isFirstOfJanuary(date)) keys.push(key('name-yob', name, date.year));
  } else if (date.precision === 'month') {
    keys.push(key('name-ym', name, date.iso), key('name-yob-part', name, date.year));
  } else {
    keys.push(key('name-yob', name, date.year));
  }
  return keys;
}

/** NAME keys a registration yields, for all its dates of birth. */
function registrationNameKeys(name: string, dates: readonly NormalisedDate[]): IdentifierKey[] {
  if (name === '') return [];
  const named = nameCount(name) >= 2;
  const keys = named ? [key('name', name)] : [];
  if (named && dates.length === 0) keys.push(key('name-no-dob', name));
  for (const date of dates) {
    keys.push(key('name-yob', name, date.year));
    if (date.precision === 'day') {
      keys.push(key('name-dob', name, date.iso), key('name-ym', name, month(date)));
      if (isFirstOfJanuary(date)) keys.push(key('name-yob-part', name, date.year));
    } else if (date.precision === 'month') {
      keys.push(key('name-ym', name, date.iso), key('name-ym-part', name, date.iso));
    } else {
      keys.push(key('name-yob-part', name, date.year));
    }
  }
  return keys;
}

/** INITIALS keys: a message gives a full date; a registration may give less. */
function initialsKeys(
  family: string,
  initials: string,
  dates: readonly NormalisedDate[],
  side: 'message' | 'registration',
): IdentifierKey[] {
  const keys: IdentifierKey[] = [];
  for (const date of dates) {
    if (side === 'message') {
      if (date.precision !== 'day') continue;
      if (!isFirstOfJanuary(date)) keys.push(key('initials-dob', family, initials, date.iso));
      keys.push(
        key('initials-ym-part', family, initials, month(date)),
        key('initials-yob-part', family, initials, date.year),
      );
    } else if (isTellingFullDate(date)) {
      keys.push(key('initials-dob', family, initials, date.iso));
    } else if (date.precision === 'month') {
      keys.push(key('initials-ym-part', family, initials, date.iso));
    } else {
      keys.push(key('initials-yob-part', family, initials, date.year));
    }
  }
  return keys;
}

/** SKELETON keys, on full dates: none when the skeleton is too short to tell names apart. */
function skeletonKeys(name: string, dates: readonly NormalisedDate[]): IdentifierKey[] {
  const skeleton = consonantSkeleton(name);
  if (nameCount(skeleton) < 2 || skeleton.replace(/ /g, '').length < MIN_SKELETON_CONSONANTS) {
    return [];
  }
  return dates.filter(isTellingFullDate).map((date) => key('skeleton-dob', skeleton, date.iso));
}

/** Keys of one kind that need a full date on both sides. */
function fullDateKeys(
  kind: 'name-dob' | 'more-names-dob' | 'family-dob',
  material: string,
  dates: readonly NormalisedDate[],
): IdentifierKey[] {
  if (material === '') return [];
  return dates.filter(isTellingFullDate).map((date) => key(kind, material, date.iso));
}

/**
 * The subsets of a list of names: every non-empty one (`proper`: but the whole) up to
 * MAX_GIVEN_FOR_SUBSETS names; beyond, each name alone and the whole.
 */
function subsets(names: readonly string[], proper: boolean): string[][] {
  if (names.length > MAX_GIVEN_FOR_SUBSETS) {
    const singles = names.map((name) => [name]);
    return proper ? [[], ...singles] : [...singles, [...names]];
  }
  const all: string[][] = [];
  const whole = (1 << names.length) - 1;
  for (let mask = proper ? 0 : 1; mask <= (proper ? whole - 1 : whole); mask++) {
    all.push(names.filter((_, i) => mask & (1 << i)));
  }
  return all;
}

function messageReadingKeys(
  reading: NameReading,
  date: NormalisedDate | undefined,
): IdentifierKey[] {
  const dates = date === undefined ? [] : [date];
  const full = canonical([...reading.given, ...reading.family]);
  const keys = messageNameKeys(full, date);
  if (!reading.structured || reading.family.length === 0 || reading.given.length > 0) {
    keys.push(...skeletonKeys(full, dates));
  }
  if (!reading.structured || reading.family.length === 0) return keys;
  const family = canonical(reading.family);
  if (reading.given.length > 0) {
    for (const fewer of subsets(reading.given, true)) {
      keys.push(...fullDateKeys('more-names-dob', canonical([...fewer, ...reading.family]), dates));
    }
  } else if (reading.initials.length > 0) {
    keys.push(...initialsKeys(family, [...reading.initials].sort().join(''), dates, 'message'));
  } else {
    keys.push(...fullDateKeys('family-dob', family, dates));
  }
  return keys;
}

function registrationReadingKeys(
  reading: NameReading,
  dates: readonly NormalisedDate[],
): IdentifierKey[] {
  if (!reading.structured || reading.family.length === 0) {
    const full = canonical([...reading.given, ...reading.family]);
    return [...registrationNameKeys(full, dates), ...skeletonKeys(full, dates)];
  }
  const family = canonical(reading.family);
  const complete = canonical([...reading.given, ...reading.family]);
  const keys = registrationNameKeys(complete, dates);
  if (reading.given.length > 0) keys.push(...skeletonKeys(complete, dates));
  // A message that omits given names matches with the same full date only: on a year, or on the
  // names alone, it would match every namesake who shares one given name.
  for (const given of subsets(reading.given, true)) {
    if (given.length === 0) continue;
    const name = canonical([...given, ...reading.family]);
    keys.push(...fullDateKeys('name-dob', name, dates), ...skeletonKeys(name, dates));
  }
  keys.push(...fullDateKeys('more-names-dob', complete, dates));
  keys.push(...fullDateKeys('family-dob', family, dates));
  const initials = [...new Set([...reading.givenInitials, ...reading.initials])];
  for (const some of subsets(initials, false)) {
    keys.push(...initialsKeys(family, some.sort().join(''), dates, 'registration'));
  }
  return keys;
}

function documentKeys(documents: readonly PersonDocument[] | undefined): IdentifierKey[] {
  const keys: IdentifierKey[] = [];
  for (const document of documents ?? []) {
    const issuer = normaliseStateCode(document.issuingState ?? '');
    const number = normaliseDocumentNumber(document.number ?? '');
    if (issuer && number.length >= MIN_DOCUMENT_NUMBER_LENGTH) {
      keys.push(key('document', issuer, number));
    }
  }
  return keys;
}

function dedupe(keys: IdentifierKey[]): IdentifierKey[] {
  const seen = new Set<string>();
  return keys.filter(({ canonical }) => !seen.has(canonical) && seen.add(canonical));
}

/**
 * The keys of a person named in a message. A date of birth that cannot be read counts as
 * unknown: the person is then checked on the name alone, which can only block more, never less.
 */
export function personKeys(person: PersonIdentifiers): IdentifierKey[] {
  const date =
    person.dateOfBirth === undefined ? undefined : normaliseDateOfBirth(person.dateOfBirth);
  const keys = nameReadings(person.names).flatMap((reading) => messageReadingKeys(reading, date));
  keys.push(...documentKeys(person.documents));
  return dedupe(keys);
}

/** The keys of a registration: every key a matching message person could yield. */
export function registrationKeys(registration: RegistrationIdentifiers): IdentifierKey[] {
  const dates = (registration.datesOfBirth ?? [])
    .map(normaliseDateOfBirth)
    .filter((date) => date !== undefined);
  const keys = registration.names
    .flatMap(nameReadings)
    .flatMap((reading) => registrationReadingKeys(reading, dates));
  keys.push(...documentKeys(registration.documents));
  return dedupe(keys);
}
