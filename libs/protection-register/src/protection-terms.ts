import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import ar from './protection-terms/ar.json' with { type: 'json' };
import en from './protection-terms/en.json' with { type: 'json' };
import es from './protection-terms/es.json' with { type: 'json' };
import folding from './protection-terms/folding.json' with { type: 'json' };
import fr from './protection-terms/fr.json' with { type: 'json' };
import ru from './protection-terms/ru.json' with { type: 'json' };
import zh from './protection-terms/zh.json' with { type: 'json' };

/*
 * The term lists of the text scanner, as data (protection-terms/<language>.json, one per official
 * language of the United Nations, and folding.json for the characters folded before matching).
 * Each term has its topic, its meaning, its forms or pattern, its sources (a dictionary or an
 * official text), examples it must find, and the exceptions that must not count; each list also
 * documents what is deliberately not a term (`notTerms`), with examples. The lists are validated
 * when the module loads (the gateway's start-up): a bad list stops it with CONFIGURATION_INVALID,
 * naming the file and the field.
 */

export const SCAN_LANGUAGES = ['en', 'fr', 'es', 'ru', 'ar', 'zh'] as const;
export type ScanLanguage = (typeof SCAN_LANGUAGES)[number];

/**
 * What a term reveals (the policy engine's TEXT_TOPICS): an asylum claim or protection (W-6, H-1),
 * assistance conditional on cooperation (H-6), the prosecution or detention of a person (H-7,
 * W-4), a measure directed against a person (W-4). The last two end where the person is named.
 */
export const TERM_TOPICS = [
  'asylum',
  'cooperation-conditionality',
  'prosecution-or-detention',
  'measure-against-person',
] as const;
export type TermTopic = (typeof TERM_TOPICS)[number];

export interface TermSource {
  readonly title: string;
  readonly url?: string;
}

/** A match of the term that does not count: "asilo de ancianos" is a care home. */
export interface TermException {
  /** A regular expression over folded text; a term match inside one of its matches is dropped. */
  readonly pattern: string;
  readonly meaning: string;
  readonly examples: readonly string[];
}

export interface ProtectionTerm {
  readonly language: ScanLanguage;
  readonly topic: TermTopic;
  /** The term as a dictionary writes it. */
  readonly term: string;
  /** What it means, in English. */
  readonly meaning: string;
  /** The regular expression (source) over folded text: the forms, or the pattern, macros expanded. */
  readonly pattern: string;
  /** False for scripts written without spaces (Chinese): the pattern may stand inside a word. */
  readonly wholeWords: boolean;
  readonly sources: readonly TermSource[];
  readonly examples: readonly string[];
  readonly exceptions: readonly TermException[];
}

/** What a list deliberately leaves out, and why: its examples must produce no finding. */
export interface NotTerm {
  readonly language: ScanLanguage;
  readonly text: string;
  readonly why: string;
  readonly sources: readonly TermSource[];
  readonly examples: readonly string[];
}

/** Characters folded before matching (folding.json). */
export interface Folding {
  /** Characters that are invisible beyond Unicode's Default_Ignorable_Code_Point (braille blank). */
  readonly invisible: ReadonlySet<string>;
  /** One character to its folded form (letter variants, small capitals, apostrophes). */
  readonly characters: ReadonlyMap<string, string>;
  /** Traditional Chinese characters to their simplified forms. */
  readonly traditionalToSimplified: ReadonlyMap<string, string>;
  /** Look-alikes of Latin letters in other scripts (UTS #39), by their case as written. */
  readonly toLatin: ReadonlyMap<string, string>;
  /** Look-alikes of Cyrillic letters in other scripts, by their case as written. */
  readonly toCyrillic: ReadonlyMap<string, string>;
  /** Characters that may separate spaced-out letters ("a.s.y.l.u.m"), besides spaces. */
  readonly separators: ReadonlySet<string>;
}

export interface TermLists {
  readonly terms: readonly ProtectionTerm[];
  readonly notTerms: readonly NotTerm[];
  readonly folding: Folding;
}

/** A term list as read from its file. */
export interface TermListDocument {
  readonly file: string;
  readonly document: unknown;
}

type Report = (field: string, message: string) => void;

const TERM_LIST_KEYS = [
  '$comment',
  'language',
  'wholeWords',
  'sources',
  'macros',
  'terms',
  'notTerms',
];
const TERM_KEYS = [
  'topic',
  'term',
  'meaning',
  'forms',
  'pattern',
  'sources',
  'examples',
  'exceptions',
];
const FOLDING_KEYS = [
  '$comment',
  'sources',
  'invisible',
  'characters',
  'traditionalToSimplified',
  'toLatin',
  'toCyrillic',
  'separators',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function unknownKeys(
  record: Record<string, unknown>,
  known: readonly string[],
  at: string,
  report: Report,
) {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) report(at ? `${at}.${key}` : key, 'is not a known field');
  }
}

function strings(
  value: unknown,
  field: string,
  report: Report,
  { nonEmpty = true } = {},
): string[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0) || !value.every(nonBlank)) {
    report(
      field,
      nonEmpty
        ? 'must be a non-empty list of non-blank strings'
        : 'must be a list of non-blank strings',
    );
    return [];
  }
  return value;
}

const MACRO = /\{\{([a-z][a-z0-9-]*)\}\}/g;

/** `{{name}}` expanded from the list's macros, recursively (a cycle is an error). */
function expandMacros(
  source: string,
  macros: Readonly<Record<string, string>>,
  field: string,
  report: Report,
  depth = 0,
): string {
  if (depth > 8) {
    report(field, 'macros nest more than 8 deep (a cycle?)');
    return source;
  }
  return source.replace(MACRO, (_, name: string) => {
    const body = macros[name];
    if (body === undefined) {
      report(field, `uses the unknown macro {{${name}}}`);
      return '';
    }
    return expandMacros(body, macros, field, report, depth + 1);
  });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Forms as a pattern: each form literal, any whitespace between words, a hyphen optional. */
function formsPattern(forms: readonly string[]): string {
  return forms
    .map((form) =>
      form
        .trim()
        .toLowerCase()
        .split(/\s+/)
        .map((word) =>
          word
            .split('-')
            .map(escapeRegex)
            .join(String.raw`[-\s]?`),
        )
        .join(String.raw`\s+`),
    )
    .join('|');
}

function compiles(source: string, field: string, report: Report): boolean {
  try {
    const regex = new RegExp(source, 'u');
    if (regex.test('')) {
      report(field, 'matches the empty text');
      return false;
    }
    return true;
  } catch (error) {
    report(field, `is not a valid regular expression: ${(error as Error).message}`);
    return false;
  }
}

function readSources(value: unknown, report: Report): Map<string, TermSource> {
  const sources = new Map<string, TermSource>();
  if (!isRecord(value) || Object.keys(value).length === 0) {
    report('sources', 'must name at least one source (id: { title, url? })');
    return sources;
  }
  for (const [id, raw] of Object.entries(value)) {
    const at = `sources.${id}`;
    if (!isRecord(raw) || !nonBlank(raw.title)) {
      report(at, 'must have a title');
      continue;
    }
    unknownKeys(raw, ['title', 'url'], at, report);
    if (
      raw.url !== undefined &&
      !(typeof raw.url === 'string' && /^https:\/\/\S+$/.test(raw.url))
    ) {
      report(`${at}.url`, 'must be an https URL');
    }
    sources.set(id, {
      title: raw.title,
      ...(typeof raw.url === 'string' && { url: raw.url }),
    });
  }
  return sources;
}

function citedSources(
  value: unknown,
  sources: ReadonlyMap<string, TermSource>,
  field: string,
  report: Report,
): TermSource[] {
  return strings(value, field, report).flatMap((id) => {
    const source = sources.get(id);
    if (!source) report(field, `cites the unknown source "${id}"`);
    return source ? [source] : [];
  });
}

function readTermList(
  { file, document }: TermListDocument,
  report: Report,
): { terms: ProtectionTerm[]; notTerms: NotTerm[]; language?: ScanLanguage } {
  const terms: ProtectionTerm[] = [];
  const notTerms: NotTerm[] = [];
  if (!isRecord(document)) {
    report('', 'must be a JSON object');
    return { terms, notTerms };
  }
  unknownKeys(document, TERM_LIST_KEYS, '', report);
  const language = document.language;
  if (!(SCAN_LANGUAGES as readonly unknown[]).includes(language)) {
    report('language', `must be one of ${SCAN_LANGUAGES.join(', ')}`);
    return { terms, notTerms };
  }
  const lang = language as ScanLanguage;
  if (file !== `${lang}.json`) report('language', `is ${lang}, but the file is ${file}`);
  if (typeof document.wholeWords !== 'boolean') report('wholeWords', 'must be true or false');
  const wholeWords = document.wholeWords !== false;
  const sources = readSources(document.sources, report);
  const macros: Record<string, string> = {};
  if (document.macros !== undefined) {
    if (!isRecord(document.macros)) report('macros', 'must map names to pattern fragments');
    else {
      for (const [name, body] of Object.entries(document.macros)) {
        if (!/^[a-z][a-z0-9-]*$/.test(name) || typeof body !== 'string') {
          report(`macros.${name}`, 'must be a lower-case name mapped to a pattern fragment');
        } else macros[name] = body;
      }
    }
  }
  if (!Array.isArray(document.terms) || document.terms.length === 0) {
    report('terms', 'must be a non-empty list');
  }
  const seen = new Set<string>();
  (Array.isArray(document.terms) ? (document.terms as unknown[]) : []).forEach((raw, index) => {
    const at = `terms[${index}]`;
    if (!isRecord(raw)) {
      report(at, 'must be an object');
      return;
    }
    unknownKeys(raw, TERM_KEYS, at, report);
    const { topic, term, meaning, forms, pattern } = raw;
    if (!(TERM_TOPICS as readonly unknown[]).includes(topic)) {
      report(`${at}.topic`, `must be one of ${TERM_TOPICS.join(', ')}`);
    }
    if (!nonBlank(term)) report(`${at}.term`, 'must be a non-blank string');
    if (!nonBlank(meaning)) report(`${at}.meaning`, 'must say what the term means');
    if (nonBlank(term)) {
      const key = `${String(topic)}:${term}`;
      if (seen.has(key)) report(`${at}.term`, `"${term}" is listed twice under ${String(topic)}`);
      seen.add(key);
    }
    let source: string | undefined;
    if ((forms === undefined) === (pattern === undefined)) {
      report(at, 'must have either forms or a pattern');
    } else if (forms !== undefined) {
      const list = strings(forms, `${at}.forms`, report);
      if (list.length > 0) source = formsPattern(list);
    } else if (nonBlank(pattern)) {
      source = expandMacros(pattern, macros, `${at}.pattern`, report);
    } else {
      report(`${at}.pattern`, 'must be a non-blank regular expression');
    }
    if (source !== undefined && !compiles(source, `${at}.${forms ? 'forms' : 'pattern'}`, report)) {
      source = undefined;
    }
    const cited = citedSources(raw.sources, sources, `${at}.sources`, report);
    const examples = strings(raw.examples, `${at}.examples`, report);
    const exceptions: TermException[] = [];
    if (raw.exceptions !== undefined) {
      if (!Array.isArray(raw.exceptions)) report(`${at}.exceptions`, 'must be a list');
      (Array.isArray(raw.exceptions) ? (raw.exceptions as unknown[]) : []).forEach((item, i) => {
        const ex = `${at}.exceptions[${i}]`;
        if (!isRecord(item) || !nonBlank(item.pattern) || !nonBlank(item.meaning)) {
          report(ex, 'must have a pattern and a meaning');
          return;
        }
        unknownKeys(item, ['pattern', 'meaning', 'examples'], ex, report);
        const expanded = expandMacros(item.pattern, macros, `${ex}.pattern`, report);
        const exExamples = strings(item.examples, `${ex}.examples`, report);
        if (compiles(expanded, `${ex}.pattern`, report)) {
          exceptions.push({ pattern: expanded, meaning: item.meaning, examples: exExamples });
        }
      });
    }
    if (source !== undefined && nonBlank(term) && nonBlank(meaning)) {
      terms.push({
        language: lang,
        topic: topic as TermTopic,
        term,
        meaning,
        pattern: source,
        wholeWords,
        sources: cited,
        examples,
        exceptions,
      });
    }
  });
  if (document.notTerms !== undefined && !Array.isArray(document.notTerms)) {
    report('notTerms', 'must be a list');
  }
  (Array.isArray(document.notTerms) ? (document.notTerms as unknown[]) : []).forEach((raw, i) => {
    const at = `notTerms[${i}]`;
    if (!isRecord(raw) || !nonBlank(raw.text) || !nonBlank(raw.why)) {
      report(at, 'must have a text and say why it is not a term');
      return;
    }
    unknownKeys(raw, ['text', 'why', 'sources', 'examples'], at, report);
    notTerms.push({
      language: lang,
      text: raw.text,
      why: raw.why,
      sources:
        raw.sources === undefined
          ? []
          : citedSources(raw.sources, sources, `${at}.sources`, report),
      examples: strings(raw.examples, `${at}.examples`, report),
    });
  });
  return { terms, notTerms, language: lang };
}

function singleCharacter(value: string): boolean {
  return [...value].length === 1;
}

function characterMap(
  value: unknown,
  field: string,
  report: Report,
  accept: (to: string) => boolean,
  rule: string,
): Map<string, string> {
  const map = new Map<string, string>();
  if (!isRecord(value)) {
    report(field, 'must map characters to characters');
    return map;
  }
  for (const [from, to] of Object.entries(value)) {
    if (!singleCharacter(from) || typeof to !== 'string' || !accept(to)) {
      report(`${field}.${from}`, rule);
    } else map.set(from, to);
  }
  return map;
}

function readFolding({ document }: TermListDocument, report: Report): Folding {
  const empty: Folding = {
    invisible: new Set(),
    characters: new Map(),
    traditionalToSimplified: new Map(),
    toLatin: new Map(),
    toCyrillic: new Map(),
    separators: new Set(),
  };
  if (!isRecord(document)) {
    report('', 'must be a JSON object');
    return empty;
  }
  unknownKeys(document, FOLDING_KEYS, '', report);
  readSources(document.sources, report);
  const invisible = strings(document.invisible, 'invisible', report);
  if (!invisible.every(singleCharacter)) report('invisible', 'must list single characters');
  const separators = typeof document.separators === 'string' ? [...document.separators] : [];
  if (separators.length === 0) report('separators', 'must be a string of separator characters');
  const letter = (to: string) => /^\p{L}$/u.test(to);
  return {
    invisible: new Set(invisible),
    characters: characterMap(
      document.characters,
      'characters',
      report,
      (to) => [...to].length <= 2,
      'must map one character to at most two (or none)',
    ),
    traditionalToSimplified: characterMap(
      document.traditionalToSimplified,
      'traditionalToSimplified',
      report,
      (to) => /^\p{Script=Han}$/u.test(to),
      'must map a Han character to one Han character',
    ),
    toLatin: characterMap(
      document.toLatin,
      'toLatin',
      report,
      (to) => letter(to) && /^\p{Script=Latin}$/u.test(to),
      'must map one character to one Latin letter',
    ),
    toCyrillic: characterMap(
      document.toCyrillic,
      'toCyrillic',
      report,
      (to) => letter(to) && /^\p{Script=Cyrillic}$/u.test(to),
      'must map one character to one Cyrillic letter',
    ),
    separators: new Set(separators),
  };
}

/**
 * Validates term lists and the folding table. Throws CONFIGURATION_INVALID naming every problem
 * (file, field, message); the message names the first.
 */
export function parseTermLists(
  lists: readonly TermListDocument[],
  foldingDocument: TermListDocument,
): TermLists {
  const problems: ErrorDetail[] = [];
  const reporter =
    (file: string): Report =>
    (field, message) =>
      problems.push({ file, field, message });
  const terms: ProtectionTerm[] = [];
  const notTerms: NotTerm[] = [];
  const languages = new Set<ScanLanguage>();
  for (const list of lists) {
    const read = readTermList(list, reporter(list.file));
    if (read.language) {
      if (languages.has(read.language)) {
        reporter(list.file)('language', `${read.language} has two lists`);
      }
      languages.add(read.language);
    }
    terms.push(...read.terms);
    notTerms.push(...read.notTerms);
  }
  const folding = readFolding(foldingDocument, reporter(foldingDocument.file));
  for (const language of SCAN_LANGUAGES) {
    if (!languages.has(language)) {
      reporter(`${language}.json`)('language', 'the list of this UN official language is missing');
    }
  }
  // Text is folded to simplified characters: a traditional one in a pattern could never match.
  for (const term of terms) {
    const traditional = [...term.pattern].filter((c) => folding.traditionalToSimplified.has(c));
    if (traditional.length > 0) {
      reporter(`${term.language}.json`)(
        `terms "${term.term}"`,
        `writes traditional characters (${traditional.join('')}): write the simplified forms, traditional text is folded to them`,
      );
    }
  }
  throwIfAny(problems);
  return { terms, notTerms, folding };
}

export function throwIfAny(problems: ErrorDetail[]): void {
  if (problems.length === 0) return;
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  throw new GatewayError(
    ErrorCode.CONFIGURATION_INVALID,
    `protection term lists rejected: ${String(first.file)} ${String(first.field)}: ${String(first.message)}${more}`,
    problems,
  );
}

/** The term lists this build ships with, as documents (validated by the scanner module). */
export const TERM_LIST_DOCUMENTS: readonly TermListDocument[] = [
  { file: 'en.json', document: en },
  { file: 'fr.json', document: fr },
  { file: 'es.json', document: es },
  { file: 'ru.json', document: ru },
  { file: 'ar.json', document: ar },
  { file: 'zh.json', document: zh },
];
export const FOLDING_DOCUMENT: TermListDocument = { file: 'folding.json', document: folding };
