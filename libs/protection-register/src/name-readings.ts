import { foldNameToken, nameWords } from './normalise.js';

/*
 * The ways of reading a person's names: which are given names, which family names, and where one
 * name ends and the next begins. Officers write a compound name hyphenated, spaced or joined
 * (Abdel-Rahman, Abdel Rahman, ABDELRAHMAN), split a name by a stray space (Chia maka), type
 * "FAMILY, Given" in one field, and abbreviate given names to initials (M. Abdel-Rahman). A name
 * yields one reading per segmentation, so that two writings of the same name share one.
 */

/** The names of a person, as in the gateway's `PersonNameSchema`. */
export interface PersonNames {
  readonly givenNames?: readonly string[];
  readonly familyNames?: readonly string[];
  readonly aliases?: readonly string[];
}

/** One reading of a person's names, every name folded (foldNameToken). */
export interface NameReading {
  /** Given names of two letters or more, each once, in the order written. */
  readonly given: readonly string[];
  /** Given names written as an initial alone ("M." or "M"), as initialOf reads them. */
  readonly initials: readonly string[];
  /** The initials of the given names written in full (initialOf, before folding). */
  readonly givenInitials: readonly string[];
  /** Family names, each once; empty when not known. */
  readonly family: readonly string[];
  /**
   * False for an alias written without a comma ("Mohamed Abdel Rahman"): its names are known,
   * not which of them is the family name.
   */
  readonly structured: boolean;
}

/** Readings of one set of names beyond this many are not derived (a name of many parts). */
const MAX_READINGS = 8;

/**
 * The first letter of a given name, as an initial: i, j and y (Юрий: Yuri, Iouri, Juri), c, k and
 * q (Kasim, Qasim), v and w (Wladimir, Vladimir) are one initial each.
 */
export function initialOf(word: string): string {
  const letter = word[0] ?? '';
  if ('ijy'.includes(letter)) return 'i';
  if ('ckq'.includes(letter)) return 'k';
  if (letter === 'w') return 'v';
  return letter;
}

/**
 * The segmentations of the words typed in one field: as typed, all joined, and (three words or
 * more) each pair of neighbours joined: ["abdel", "rahman"] also reads ["abdelrahman"].
 */
function segmentations(words: readonly string[]): string[][] {
  const variants: string[][] = [[...words]];
  if (words.length >= 2) variants.push([words.join('')]);
  if (words.length >= 3) {
    for (let i = 0; i + 1 < words.length; i++) {
      variants.push([...words.slice(0, i), words[i] + words[i + 1], ...words.slice(i + 2)]);
    }
  }
  return variants;
}

/**
 * The segmentations of a set of fields (the given names' first), each a list of fields of words:
 * as typed; the family fields' words joined; every field's words joined (two spellings of one
 * name always meet there); then each field's other segmentations in turn, the others as typed.
 * At most `limit`.
 */
function segmentedFields(
  fields: readonly (readonly string[])[],
  givenFields: number,
  limit: number,
): string[][][] {
  const asTyped = fields.map((words) => [...words]);
  if (fields.every((words) => words.length < 2)) return [asTyped];
  const joined = (words: readonly string[]) => (words.length > 0 ? [words.join('')] : []);
  const readings = new Map<string, string[][]>();
  const add = (reading: string[][]) =>
    readings.set(reading.map((f) => f.join(' ')).join('|'), reading);
  add(asTyped);
  // A compound family name is one name; words typed in one given field are often several.
  add(fields.map((words, i) => (i < givenFields ? [...words] : joined(words))));
  add(fields.map(joined));
  fields.forEach((words, i) => {
    for (const variant of segmentations(words).slice(1)) {
      add(asTyped.map((field, j) => (j === i ? variant : field)));
    }
  });
  return [...readings.values()].slice(0, limit);
}

interface TypedNames {
  readonly given: string[][];
  readonly family: string[][];
  readonly structured: boolean;
}

/** "FAMILY, Given" typed in one field: the family part and the given part. */
function splitAtComma(text: string): [family: string, given: string] | undefined {
  const comma = text.indexOf(',');
  return comma < 0 ? undefined : [text.slice(0, comma), text.slice(comma + 1)];
}

/**
 * The fields of a set of names, each as its words: a comma in a family name, or in a given name
 * when no family name is given, separates "FAMILY, Given"; an alias with a comma is read the same
 * way, one without is unstructured.
 */
function typedNames(names: PersonNames): TypedNames[] {
  const given: string[][] = [];
  const family: string[][] = [];
  const familyNames = names.familyNames ?? [];
  for (const text of familyNames) {
    const parts = splitAtComma(text);
    family.push(nameWords(parts ? parts[0] : text));
    if (parts) given.push(nameWords(parts[1]));
  }
  for (const text of names.givenNames ?? []) {
    const parts = familyNames.length === 0 ? splitAtComma(text) : undefined;
    if (parts) family.push(nameWords(parts[0]));
    given.push(nameWords(parts ? parts[1] : text));
  }
  const typed: TypedNames[] = [
    { given: given.filter(nonEmpty), family: family.filter(nonEmpty), structured: true },
  ];
  for (const alias of names.aliases ?? []) {
    const parts = splitAtComma(alias);
    typed.push(
      parts
        ? {
            given: [nameWords(parts[1])].filter(nonEmpty),
            family: [nameWords(parts[0])].filter(nonEmpty),
            structured: true,
          }
        : { given: [nameWords(alias)].filter(nonEmpty), family: [], structured: false },
    );
  }
  return typed.filter((names) => names.given.length + names.family.length > 0);
}

function nonEmpty(words: readonly string[]): boolean {
  return words.length > 0;
}

const unique = (values: readonly string[]) => [...new Set(values)];

const isInitial = (word: string) => /^[a-z]$/.test(word);

function reading(
  given: readonly string[],
  family: readonly string[],
  structured: boolean,
): NameReading {
  const names = given.filter((word) => !isInitial(word));
  return {
    given: unique(names.map(foldNameToken)),
    initials: unique(given.filter(isInitial).map(initialOf)),
    givenInitials: unique(names.map(initialOf)),
    family: unique(family.map(foldNameToken)),
    structured,
  };
}

/**
 * Every reading of a set of names: the names as typed, and each with a compound written another
 * way (see segmentations). Each alias is read on its own.
 */
export function nameReadings(names: PersonNames): NameReading[] {
  const readings: NameReading[] = [];
  for (const typed of typedNames(names)) {
    const fields = [...typed.given, ...typed.family];
    for (const segmented of segmentedFields(fields, typed.given.length, MAX_READINGS)) {
      // Joining neighbours never crosses fields: the given names' fields come first.
      const given = segmented.slice(0, typed.given.length).flat();
      const family = segmented.slice(typed.given.length).flat();
      readings.push(reading(given, family, typed.structured));
    }
  }
  return readings;
}
