import {
  canonicalName,
  consonantSkeleton,
  normaliseDateOfBirth,
  normaliseDocumentNumber,
  normaliseStateCode,
  type NormalisedDate,
} from './normalise.js';

/*
 * The identifier keys a person yields: canonical strings, one per way of recognising the person,
 * each later hashed with the node secret (keyed-hash.ts). Two records match when they share a key.
 *
 * A registration (the asylum authority's record) and a person named in a message yield different
 * keys for the same data, so that a message matches every registration compatible with it and no
 * other. Dates of birth are known to the day, to the year (or year and month), or not at all, on
 * either side:
 *
 * | key           | canonical string (hashed)          | a registration has it | a message has it |
 * |---------------|------------------------------------|-----------------------|------------------|
 * | name-dob      | v1|name-dob|NAME|YYYY-MM-DD        | with a full date      | with a full date |
 * | name-yob      | v1|name-yob|NAME|YYYY              | with any date         | with a part date |
 * | name-yob-part | v1|name-yob-part|NAME|YYYY         | with a part date      | with a full date |
 * | name-no-dob   | v1|name-no-dob|NAME                | with no date          | with any date    |
 * | name          | v1|name|NAME                       | always                | with no date     |
 * | family-dob    | v1|family-dob|FAMILY|YYYY-MM-DD    | with a full date      | with a full date |
 * | skeleton-dob  | v1|skeleton-dob|SKELETON|YYYY-MM-DD| with a full date      | with a full date |
 * | document      | v1|document|ISSUER|NUMBER          | per document          | per document     |
 *
 * (A part date is a year, or a year and month.)
 *
 * So a message dated 1998-06-02 matches registrations dated 1998-06-02, registrations dated only
 * 1998 (or 1998-06), and undated ones, but not one dated 1998-07-14: two people who share a name
 * and a year are not confused when both dates are known.
 *
 * - NAME: canonicalName (normalise.ts) of given + family names, and separately of each alias:
 *   sorted tokens, so order and field do not matter. Keys on a name alone (`name`, `name-no-dob`)
 *   need at least two tokens: a single given name is too common to block a message on.
 * - FAMILY: the family names alone, so that a person whose given names were spelt differently
 *   (or omitted) is still found by family name and date of birth.
 * - SKELETON: consonantSkeleton of NAME, at least four consonants over two tokens: the bridge
 *   between Arabic script, which writes no short vowels (محمد → mhmd), and its many Latin
 *   spellings (Mohamed, Muhammad → mhmd).
 * - family-dob and skeleton-dob are weaker than name-dob, so they are not derived from 1 January:
 *   many States record an unknown date of birth as 1 January of the estimated year, which would
 *   make them collide across unrelated persons (name-dob still applies to such a date).
 * - ISSUER: the issuing State's ISO 3166-1 alpha-2 code; NUMBER: normaliseDocumentNumber, at
 *   least four characters. The document kind is left out: the same number is entered as a passport
 *   by one officer and as a travel document by another. A document with no number or no valid
 *   issuing State yields no key.
 */

/** Bumped whenever a rule changes the canonical strings: old hashes then no longer match. */
export const KEY_VERSION = 'v1';

export const KEY_KINDS = [
  'name-dob',
  'name-yob',
  'name-yob-part',
  'name-no-dob',
  'name',
  'family-dob',
  'skeleton-dob',
  'document',
] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** One identifier key: its kind and its canonical string (which contains personal data). */
export interface IdentifierKey {
  readonly kind: KeyKind;
  readonly canonical: string;
}

/** The names of a person, as in the gateway's `PersonNameSchema`. */
export interface PersonNames {
  readonly givenNames?: readonly string[];
  readonly familyNames?: readonly string[];
  readonly aliases?: readonly string[];
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

interface NameVariant {
  /** Canonical full name (given + family, or one alias). */
  readonly name: string;
  /** Canonical family names, for the primary variant only. */
  readonly family?: string;
}

function nameVariants(names: PersonNames): NameVariant[] {
  const variants: NameVariant[] = [];
  const given = names.givenNames ?? [];
  const family = names.familyNames ?? [];
  const primary = canonicalName([...given, ...family]);
  const familyOnly = canonicalName(family);
  if (primary) variants.push({ name: primary, family: familyOnly || undefined });
  for (const alias of names.aliases ?? []) {
    const name = canonicalName([alias]);
    if (name) variants.push({ name });
  }
  return variants;
}

function key(kind: KeyKind, ...parts: string[]): IdentifierKey {
  return { kind, canonical: [KEY_VERSION, kind, ...parts].join('|') };
}

function tokenCount(canonical: string): number {
  return canonical === '' ? 0 : canonical.split(' ').length;
}

function isFirstOfJanuary(date: NormalisedDate): boolean {
  return date.precision === 'day' && date.iso.endsWith('-01-01');
}

/** Keys that need a full date: name-dob, family-dob and skeleton-dob. */
function fullDateKeys(variant: NameVariant, date: NormalisedDate): IdentifierKey[] {
  const keys = [key('name-dob', variant.name, date.iso)];
  if (isFirstOfJanuary(date)) return keys;
  if (variant.family) keys.push(key('family-dob', variant.family, date.iso));
  const skeleton = consonantSkeleton(variant.name);
  if (tokenCount(skeleton) >= 2 && skeleton.replace(/ /g, '').length >= MIN_SKELETON_CONSONANTS) {
    keys.push(key('skeleton-dob', skeleton, date.iso));
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
  const seen = new Map<string, IdentifierKey>();
  for (const k of keys) if (!seen.has(k.canonical)) seen.set(k.canonical, k);
  return [...seen.values()];
}

function parseDates(raw: readonly string[]): NormalisedDate[] {
  return raw.map(normaliseDateOfBirth).filter((date) => date !== undefined);
}

/**
 * The keys of a person named in a message. A date of birth that cannot be read counts as
 * unknown: the person is then checked on the name alone, which can only block more, never less.
 */
export function personKeys(person: PersonIdentifiers): IdentifierKey[] {
  const date =
    person.dateOfBirth === undefined ? undefined : normaliseDateOfBirth(person.dateOfBirth);
  const keys: IdentifierKey[] = [];
  for (const variant of nameVariants(person.names)) {
    const named = tokenCount(variant.name) >= 2;
    if (date === undefined) {
      if (named) keys.push(key('name', variant.name));
      continue;
    }
    if (named) keys.push(key('name-no-dob', variant.name));
    if (date.precision === 'day') {
      keys.push(...fullDateKeys(variant, date), key('name-yob-part', variant.name, date.year));
    } else {
      keys.push(key('name-yob', variant.name, date.year));
    }
  }
  keys.push(...documentKeys(person.documents));
  return dedupe(keys);
}

/** The keys of a registration: every key a matching message person could yield. */
export function registrationKeys(registration: RegistrationIdentifiers): IdentifierKey[] {
  const dates = parseDates(registration.datesOfBirth ?? []);
  const keys: IdentifierKey[] = [];
  for (const variant of registration.names.flatMap(nameVariants)) {
    const named = tokenCount(variant.name) >= 2;
    if (named) keys.push(key('name', variant.name));
    if (named && dates.length === 0) keys.push(key('name-no-dob', variant.name));
    for (const date of dates) {
      keys.push(key('name-yob', variant.name, date.year));
      if (date.precision === 'day') keys.push(...fullDateKeys(variant, date));
      else keys.push(key('name-yob-part', variant.name, date.year));
    }
  }
  keys.push(...documentKeys(registration.documents));
  return dedupe(keys);
}
