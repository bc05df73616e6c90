import { PROTECTION_TERMS, SCAN_LANGUAGES, type ScanLanguage } from './protection-terms.js';

/** A protection term found in a text. */
export interface TermFinding {
  readonly language: ScanLanguage;
  /** The term of the list (protection-terms.ts) that matched. */
  readonly term: string;
  /** Its meaning in English. */
  readonly meaning: string;
  /** Where the match starts in the text scanned (UTF-16 code units). */
  readonly index: number;
  /** The text matched, as written. */
  readonly match: string;
}

/** A protection term found in a string of a JSON body. */
export interface BodyFinding extends TermFinding {
  /** JSONPath of the string: `$.persons[0].notes`, `$['odd key']`. */
  readonly field: string;
}

/**
 * Characters folded beyond NFKD and case: Arabic letter variants typed interchangeably (alef
 * maksura and Farsi yeh as yeh, Farsi keheh as kaf, ta marbuta as ha, tatweel dropped),
 * typographic apostrophes and dashes.
 */
const CHARACTER_FOLDS: ReadonlyMap<string, string> = new Map([
  ['\u0649', '\u064a'],
  ['\u06cc', '\u064a'],
  ['\u06a9', '\u0643'],
  ['\u0629', '\u0647'],
  ['\u0640', ''],
  ['\u2018', "'"],
  ['\u2019', "'"],
  ['\u02bc', "'"],
]);

const foldCache = new Map<string, string>();

/**
 * One character (code point) folded for scanning: NFKD, every combining mark removed (accents,
 * Cyrillic breve and diaeresis, Arabic harakat and hamza on a carrier), lower case,
 * CHARACTER_FOLDS, dashes as a hyphen-minus.
 */
function foldCharacter(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 32) : character;
  let folded = foldCache.get(character);
  if (folded === undefined) {
    folded = character
      .normalize('NFKD')
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/./gsu, (c) => CHARACTER_FOLDS.get(c) ?? c)
      .replace(/\p{Pd}/gu, '-');
    if (foldCache.size < 65_536) foldCache.set(character, folded);
  }
  return folded;
}

interface FoldedText {
  readonly text: string;
  /** For each code unit of `text`: where the original character starts... */
  readonly starts: Uint32Array;
  /** ...and where it ends. */
  readonly ends: Uint32Array;
}

function foldText(original: string): FoldedText {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let position = 0;
  for (const character of original) {
    const folded = foldCharacter(character);
    const end = position + character.length;
    parts.push(folded);
    for (let i = 0; i < folded.length; i++) {
      starts.push(position);
      ends.push(end);
    }
    position = end;
  }
  return { text: parts.join(''), starts: Uint32Array.from(starts), ends: Uint32Array.from(ends) };
}

/** A pattern's non-ASCII characters folded like the text (ASCII is written in lower case). */
function foldPattern(source: string): string {
  return source.replace(/\P{ASCII}/gu, foldCharacter);
}

interface CompiledTerm {
  readonly language: ScanLanguage;
  readonly term: string;
  readonly meaning: string;
  readonly regex: RegExp;
}

const COMPILED: readonly CompiledTerm[] = PROTECTION_TERMS.map((term) => {
  const source = foldPattern(term.pattern);
  const bounded = term.wholeWords ? `(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])` : source;
  return { ...term, regex: new RegExp(bounded, 'gu') };
});

const LANGUAGE_ORDER = new Map(SCAN_LANGUAGES.map((language, i) => [language, i]));

/**
 * The protection terms (W-6) in a text, in any of the six UN languages, by position. Robust to
 * case, diacritics, compatibility forms and inflection (see protection-terms.ts); `index` and
 * `match` refer to the text as given.
 */
export function scanText(text: string): TermFinding[] {
  if (text.length === 0) return [];
  const folded = foldText(text);
  const findings: TermFinding[] = [];
  for (const { language, term, meaning, regex } of COMPILED) {
    for (const m of folded.text.matchAll(regex)) {
      const start = folded.starts[m.index];
      const end = folded.ends[m.index + m[0].length - 1];
      findings.push({ language, term, meaning, index: start, match: text.slice(start, end) });
    }
  }
  findings.sort(
    (a, b) =>
      a.index - b.index ||
      (LANGUAGE_ORDER.get(a.language) ?? 0) - (LANGUAGE_ORDER.get(b.language) ?? 0),
  );
  // A spelling that is a term in several languages is reported once, under the first.
  const seen = new Set<string>();
  return findings.filter(({ index, match }) => {
    const at = `${index}:${match.length}`;
    if (seen.has(at)) return false;
    seen.add(at);
    return true;
  });
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}.${key}`;
  return `${parent}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/**
 * The protection terms in every string of a JSON body (free text and structured fields alike;
 * property names are not scanned: they are the schema's), with the JSONPath of each string.
 */
export function scanBody(body: unknown): BodyFinding[] {
  const findings: BodyFinding[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 64) throw new RangeError(`a body nested more than 64 levels deep (${path})`);
    if (typeof value === 'string') {
      for (const finding of scanText(value)) findings.push({ field: path, ...finding });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, childPath(path, i), depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, childPath(path, key), depth + 1);
    }
  };
  visit(body, '$', 0);
  return findings;
}
