import type { ErrorDetail } from '#libs/errors';
import {
  FOLDING_DOCUMENT,
  parseTermLists,
  SCAN_LANGUAGES,
  TERM_LIST_DOCUMENTS,
  throwIfAny,
  type Folding,
  type ProtectionTerm,
  type ScanLanguage,
  type TermLists,
  type TermTopic,
} from './protection-terms.js';

/** A term found in a text. */
export interface TermFinding {
  readonly language: ScanLanguage;
  readonly topic: TermTopic;
  /** The term of the list (protection-terms/<language>.json) that matched. */
  readonly term: string;
  /** Its meaning in English. */
  readonly meaning: string;
  /** Where the match starts in the text scanned (UTF-16 code units). */
  readonly index: number;
  /** The text matched, as written. */
  readonly match: string;
}

/** A term found in a string of a JSON body. */
export interface BodyFinding extends TermFinding {
  /** JSONPath of the string: `$.persons[0].notes`, `$['odd key']`. */
  readonly field: string;
}

/*
 * How a text is read. Each character (code point) becomes a cell: its folded form (NFKD, case,
 * combining marks removed, folding.json), its forms read through Latin and Cyrillic look-alikes,
 * and its kind. The cells are then read as several views, each matched against the terms of the
 * languages whose script it holds:
 * - plain: invisible characters dropped ("asy\u200Blum" is "asylum");
 * - spaced: invisible characters read as spaces, when one stands between letters ("asylum\u2800claim");
 * - joined: a hyphen at a line break, a separator inside a word ("asy.lum"), separators between
 *   Chinese characters and between spaced-out letters ("a s y l u m") dropped; inside spaced-out
 *   letters, a word may begin or end anywhere;
 * - each of those with disguised words read through look-alikes (UTS #39 skeletons: "аsуlum"
 *   with Cyrillic а and у, "убежищe" with a Latin e; see disguisedWords).
 * A view is built only when it differs from the others. Findings map back to the text as given.
 */

type CellKind =
  'letter' | 'digit' | 'space' | 'newline' | 'hyphen' | 'mark' | 'invisible' | 'other';
type Script = 'latin' | 'cyrillic' | 'greek' | 'han' | 'other';

interface CharacterForms {
  readonly folded: string;
  readonly latin: string;
  readonly cyrillic: string;
  readonly kind: CellKind;
  readonly script: Script;
  /** A soft hyphen: invisible, but a hyphen at a line break. */
  readonly softHyphen: boolean;
  /** A letter of the Russian alphabet (whose look-alikes are ordinary Russian spelling). */
  readonly russian: boolean;
}

interface Cell extends CharacterForms {
  readonly start: number;
  readonly end: number;
}

/** A reading of the cells: the text each contributes, before it is laid out as a view. */
interface Reading {
  readonly cells: readonly Cell[];
  readonly texts: readonly string[];
  /** Positions where spaced-out letters were joined: a word may begin or end there. */
  readonly soft?: ReadonlySet<number>;
}

interface View {
  readonly text: string;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** For each code unit: a word boundary may be assumed before it (spaced-out letters). */
  readonly soft: Uint8Array;
}

/**
 * A pattern, to find matches; and, compiled on first need, to retry one at its start up to the
 * end of a word (a class of every letter is costly to compile: most patterns never need it).
 */
class Matcher {
  readonly find: RegExp;
  private wordEnd?: RegExp;

  constructor(private readonly source: string) {
    this.find = new RegExp(source, 'gu');
  }

  get toWordEnd(): RegExp {
    this.wordEnd ??= new RegExp(`(?:${this.source})(?![\\p{L}\\p{N}])`, 'uy');
    return this.wordEnd;
  }
}

interface CompiledTerm extends ProtectionTerm {
  readonly matcher: Matcher;
  readonly exceptionMatchers: readonly Matcher[];
  /** The script the language is written in: a view without it cannot hold the term. */
  readonly script: RegExp;
}

const LATIN = /\p{Script=Latin}/u;

/** The script of each language, to skip the terms a view cannot hold. */
const LANGUAGE_SCRIPTS: Readonly<Record<ScanLanguage, RegExp>> = {
  en: LATIN,
  fr: LATIN,
  es: LATIN,
  ru: /\p{Script=Cyrillic}/u,
  ar: /\p{Script=Arabic}/u,
  zh: /\p{Script=Han}/u,
};

const NEWLINE = /^[\n\r\v\f\u0085\u2028\u2029]$/u;
const INSIDE_WORD_SEPARATORS = new Set(['.', '_', '*', '·']);
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

function scriptOf(text: string): Script {
  const first = text.charAt(0);
  if (/\p{Script=Latin}/u.test(first)) return 'latin';
  if (/\p{Script=Cyrillic}/u.test(first)) return 'cyrillic';
  if (/\p{Script=Greek}/u.test(first)) return 'greek';
  if (/\p{Script=Han}/u.test(first)) return 'han';
  return 'other';
}

/** The scanner for a set of term lists: compiles them once. */
export class TextScanner {
  private readonly folding: Folding;
  private readonly compiled: readonly CompiledTerm[];
  private readonly formsCache = new Map<string, CharacterForms>();
  private readonly languageOrder: ReadonlyMap<ScanLanguage, number>;

  constructor(readonly lists: TermLists) {
    this.folding = lists.folding;
    this.compiled = lists.terms.map((term) => ({
      ...term,
      matcher: this.matcher(term.pattern),
      script: LANGUAGE_SCRIPTS[term.language],
      exceptionMatchers: term.exceptions.map((exception) => this.matcher(exception.pattern)),
    }));
    this.languageOrder = new Map(SCAN_LANGUAGES.map((language, i) => [language, i]));
  }

  /** The terms as compiled (their patterns over folded text). */
  get terms(): readonly ProtectionTerm[] {
    return this.compiled;
  }

  /**
   * Case folded, marks removed, folding.json applied to one character; `map` is applied first to
   * the character as written (look-alikes depend on case).
   */
  private foldWith(character: string, map?: ReadonlyMap<string, string>): string {
    const { characters, traditionalToSimplified, invisible } = this.folding;
    if (invisible.has(character)) return '';
    let out = '';
    for (const c of character.normalize('NFKD')) {
      const mapped = map?.get(c) ?? c;
      for (const d of mapped.toLowerCase().normalize('NFKD')) {
        if (/[\p{M}\p{Default_Ignorable_Code_Point}]/u.test(d)) continue;
        const folded = characters.get(d) ?? traditionalToSimplified.get(d) ?? d;
        out += /\p{Pd}/u.test(folded) ? '-' : folded;
      }
    }
    return out;
  }

  private formsOf(character: string): CharacterForms {
    let forms = this.formsCache.get(character);
    if (forms) return forms;
    const folded = this.foldWith(character);
    const softHyphen = character === '\u00ad';
    let kind: CellKind;
    if (folded === '') {
      kind =
        this.folding.invisible.has(character) || /\p{Default_Ignorable_Code_Point}/u.test(character)
          ? 'invisible'
          : 'mark';
    } else if (/^\p{L}/u.test(folded)) kind = 'letter';
    else if (/^\p{N}/u.test(folded)) kind = 'digit';
    else if (NEWLINE.test(character)) kind = 'newline';
    else if (/^\s+$/u.test(folded)) kind = 'space';
    else if (folded === '-') kind = 'hyphen';
    else kind = 'other';
    forms = {
      folded,
      latin: this.foldWith(character, this.folding.toLatin),
      cyrillic: this.foldWith(character, this.folding.toCyrillic),
      kind,
      script: kind === 'letter' ? scriptOf(folded) : 'other',
      softHyphen,
      russian: /^[\u0430-\u044f]$/u.test(folded),
    };
    if (this.formsCache.size < 65_536) this.formsCache.set(character, forms);
    return forms;
  }

  private matcher(pattern: string): Matcher {
    return new Matcher(this.foldPattern(pattern));
  }

  /** A pattern's non-ASCII characters folded like text (ASCII is written in lower case). */
  private foldPattern(source: string): string {
    return source.replace(/\P{ASCII}/gu, (c) =>
      /\p{L}/u.test(c) || c === '\u00ad' ? this.foldWith(c) : c,
    );
  }

  private cellsOf(text: string): Cell[] {
    const cells: Cell[] = [];
    let position = 0;
    for (const character of text) {
      const end = position + character.length;
      const forms = this.formsOf(character);
      cells.push({
        folded: forms.folded,
        latin: forms.latin,
        cyrillic: forms.cyrillic,
        kind: forms.kind,
        script: forms.script,
        softHyphen: forms.softHyphen,
        russian: forms.russian,
        start: position,
        end,
      });
      position = end;
    }
    return cells;
  }

  /** Every view of the text worth matching (see above), the plain one first. */
  private viewsOf(text: string): View[] {
    const cells = this.cellsOf(text);
    const readings: Reading[] = [{ cells, texts: cells.map((cell) => cell.folded) }];
    if (this.invisibleBetweenLetters(cells)) {
      readings.push({
        cells,
        texts: cells.map((cell) => (cell.kind === 'invisible' ? ' ' : cell.folded)),
      });
    }
    const joined = this.joined(cells);
    if (joined) readings.push(joined);
    const views: View[] = [];
    const seen = new Set<string>();
    const add = (reading: Reading) => {
      const view = buildView(reading);
      if (seen.has(view.text)) return;
      seen.add(view.text);
      views.push(view);
    };
    for (const reading of readings) {
      add(reading);
      const { latin, cyrillic } = disguisedWords(reading);
      for (const [positions, form] of [
        [latin, 'latin'],
        [cyrillic, 'cyrillic'],
      ] as const) {
        if (positions.size === 0) continue;
        const texts = [...reading.texts];
        for (const i of positions) texts[i] = reading.cells[i][form];
        add({ ...reading, texts });
      }
    }
    return views;
  }

  private invisibleBetweenLetters(cells: readonly Cell[]): boolean {
    const first = cells.findIndex((cell) => cell.kind === 'letter');
    const last = cells.findLastIndex((cell) => cell.kind === 'letter');
    return cells.some((cell, i) => cell.kind === 'invisible' && i > first && i < last);
  }

  /**
   * The cells with separators inside words dropped: hyphenation at a line break ("asy-\nlum",
   * also with a soft hyphen), one dot, underscore, asterisk or middle dot between two letters
   * ("asy.lum"), separators between two Chinese characters ("庇 护"), and the separators
   * of spaced-out letters: three or more single letters ("a s y l u m", "a.s.y.l.u.m"). Undefined
   * when nothing is joined.
   */
  private joined(cells: readonly Cell[]): Reading | undefined {
    // Invisible characters and combining marks are out of every word in this view.
    const visible = cells.filter(
      (cell) => (cell.kind !== 'invisible' && cell.kind !== 'mark') || cell.softHyphen,
    );
    const count = visible.length;
    const drop = new Set<number>();
    const soft = new Set<number>();
    const gaps = new Set<number>();
    const isLetter = (i: number) => visible[i]?.kind === 'letter';
    const letterOrDigit = (i: number) => isLetter(i) || visible[i]?.kind === 'digit';
    const separator = (cell: Cell | undefined) =>
      cell !== undefined &&
      (cell.kind === 'space' ||
        cell.kind === 'newline' ||
        cell.kind === 'hyphen' ||
        cell.softHyphen ||
        this.folding.separators.has(cell.folded));
    /** The separators between two positions, soft hyphens (invisible) not counted. */
    const between = (from: number, to: number) =>
      visible.slice(from + 1, to).filter((cell) => !cell.softHyphen);
    const dropBetween = (from: number, to: number) => {
      for (let k = from + 1; k < to; k++) drop.add(k);
    };

    for (let i = 0; i < count; i++) {
      if (!isLetter(i)) continue;
      // Hyphenation: a hyphen (or a soft hyphen) before a line break.
      let j = i + 1;
      let hyphen = false;
      let newline = false;
      while (j < count && j - i <= 12) {
        const cell = visible[j];
        if (cell.kind === 'hyphen' || cell.softHyphen) hyphen = true;
        else if (cell.kind === 'newline') newline = true;
        else if (cell.kind !== 'space') break;
        j++;
      }
      if (j > i + 1 && isLetter(j) && hyphen && newline) dropBetween(i, j);
      // One dot, underscore, asterisk or middle dot inside a word: "asy.lum", "asy_lum".
      if (
        INSIDE_WORD_SEPARATORS.has(visible[i + 1]?.folded ?? '') &&
        isLetter(i + 2) &&
        isLetter(i - 1)
      ) {
        drop.add(i + 1);
      }
      // Chinese is written without spaces: separators between two characters are dropped.
      if (visible[i].script === 'han') {
        let k = i + 1;
        while (k < count && separator(visible[k]) && between(i, k + 1).length <= 3) k++;
        if (k > i + 1 && visible[k]?.script === 'han') dropBetween(i, k);
      }
    }

    // Spaced-out letters: three or more single letters, each kept apart by at most three
    // separators. The run's most common separator parts letters; any other is a space between
    // words ("a s y l u m   c l a i m", "a.s.y.l.u.m c.l.a.i.m").
    // A digit that looks like a letter ("pr0tection") stands for one; an apostrophe stays.
    const letterLike = (i: number) =>
      isLetter(i) ||
      visible[i]?.folded === "'" ||
      (visible[i]?.kind === 'digit' &&
        (visible[i].latin !== visible[i].folded || visible[i].cyrillic !== visible[i].folded));
    // A soft hyphen inside a word ("ا\u00ADلرد") keeps its letters together.
    const step = (i: number, by: 1 | -1) => {
      let k = i + by;
      while (visible[k]?.softHyphen) k += by;
      return k;
    };
    const single = (i: number) =>
      letterLike(i) && !letterOrDigit(step(i, -1)) && !letterOrDigit(step(i, 1));
    const shape = (from: number, to: number) => {
      const parts = between(from, to);
      const text = parts
        .map((cell) => (cell.kind === 'space' || cell.kind === 'newline' ? ' ' : cell.folded))
        .join('')
        .replace(/ +/g, ' ');
      return `${parts.length}:${text}`;
    };
    for (let i = 0; i < count; i++) {
      if (!single(i)) continue;
      const run = [i];
      let j = i;
      for (;;) {
        let k = j + 1;
        while (k < count && k - j <= 7 && separator(visible[k])) k++;
        const parts = between(j, k).length;
        if (k === j + 1 || parts === 0 || parts > 3 || !single(k)) break;
        run.push(k);
        j = k;
      }
      if (run.length >= 3) {
        const groups = run
          .slice(1)
          .map((to, n) => ({ from: run[n], to, shape: shape(run[n], to) }));
        const frequency = new Map<string, number>();
        for (const group of groups)
          frequency.set(group.shape, (frequency.get(group.shape) ?? 0) + 1);
        const [letterGap] = [...frequency].sort(
          ([a, x], [b, y]) =>
            y - x ||
            Number.parseInt(a, 10) - Number.parseInt(b, 10) ||
            Number(a.includes(' ')) - Number(b.includes(' ')),
        )[0];
        for (const { from, to, shape: gapShape } of groups) {
          dropBetween(from, to);
          if (gapShape === letterGap) soft.add(to);
          else {
            drop.delete(from + 1);
            gaps.add(from + 1);
          }
        }
      }
      i = j;
    }
    if (drop.size === 0) return undefined;
    const kept: Cell[] = [];
    const texts: string[] = [];
    const softKept = new Set<number>();
    visible.forEach((cell, i) => {
      if (drop.has(i)) return;
      if (soft.has(i)) softKept.add(kept.length);
      kept.push(cell);
      texts.push(gaps.has(i) ? ' ' : cell.folded);
    });
    return { cells: kept, texts, soft: softKept };
  }

  /** No letter or digit before `start`, or a boundary may be assumed there (spaced-out letters). */
  private startsWord(view: View, start: number): boolean {
    if (start === 0 || view.soft[start] === 1) return true;
    const before = view.text.codePointAt(previousIndex(view.text, start)) ?? 32;
    return !LETTER_OR_NUMBER.test(String.fromCodePoint(before));
  }

  /**
   * The spans a pattern matches in a view; with `wholeWords`, only spans that stand as words. A
   * match that ends inside a word is retried at its start up to a word's end ("persecutors" when
   * "persecutor" matched first, "réfugiée" when "réfugié" did between spaced-out letters).
   */
  private matchesIn(view: View, matcher: Matcher, wholeWords: boolean): [number, number][] {
    const find = matcher.find;
    const spans: [number, number][] = [];
    const text = view.text;
    find.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = find.exec(text)) !== null) {
      const start = m.index;
      let end = start + m[0].length;
      const next = start + (text.codePointAt(start)! > 0xffff ? 2 : 1);
      if (end === start || (wholeWords && !this.startsWord(view, start))) {
        find.lastIndex = next;
        continue;
      }
      if (wholeWords && !hardWordEnd(text, end)) {
        // The longest reading up to a word's end; else, between spaced-out letters, this one.
        const toWordEnd = matcher.toWordEnd;
        toWordEnd.lastIndex = start;
        const longer = toWordEnd.exec(text);
        if (longer) end = start + longer[0].length;
        else if (view.soft[end] !== 1) {
          find.lastIndex = next;
          continue;
        }
      }
      spans.push([start, end]);
      find.lastIndex = end;
    }
    return spans;
  }

  /**
   * The terms in a text, in any of the six UN languages, by position: robust to case, diacritics,
   * compatibility and full-width forms, invisible characters, look-alike letters of other scripts,
   * spaced-out letters and hyphenation; `index` and `match` refer to the text as given.
   */
  scanText(text: string): TermFinding[] {
    if (text.length === 0) return [];
    const views = this.viewsOf(text);
    const candidates: (TermFinding & { end: number })[] = [];
    const scripts = new Map<RegExp, View[]>();
    for (const script of new Set(Object.values(LANGUAGE_SCRIPTS))) {
      scripts.set(
        script,
        views.filter((view) => script.test(view.text)),
      );
    }
    for (const term of this.compiled) {
      for (const view of scripts.get(term.script) ?? []) {
        const spans = this.matchesIn(view, term.matcher, term.wholeWords);
        if (spans.length === 0) continue;
        const excepted = term.exceptionMatchers.flatMap((matcher) =>
          this.matchesIn(view, matcher, term.wholeWords),
        );
        for (const [start, end] of spans) {
          if (excepted.some(([s, e]) => s <= start && end <= e)) continue;
          const index = view.starts[start];
          const last = view.ends[end - 1];
          candidates.push({
            language: term.language,
            topic: term.topic,
            term: term.term,
            meaning: term.meaning,
            index,
            match: text.slice(index, last),
            end: last,
          });
        }
      }
    }
    candidates.sort(
      (a, b) =>
        a.index - b.index ||
        (this.languageOrder.get(a.language) ?? 0) - (this.languageOrder.get(b.language) ?? 0) ||
        b.end - a.end,
    );
    // Once per term and place (several views find the same), and a spelling that is a term in
    // several languages once, under the first language. Sorted by position, a candidate can only
    // overlap the last one kept of its term.
    const kept: (TermFinding & { end: number })[] = [];
    const lastEnd = new Map<string, number>();
    const spans = new Set<string>();
    for (const candidate of candidates) {
      const term = `${candidate.topic}|${candidate.language}|${candidate.term}`;
      const span = `${candidate.topic}|${candidate.index}|${candidate.end}`;
      if ((lastEnd.get(term) ?? -1) > candidate.index || spans.has(span)) continue;
      lastEnd.set(term, candidate.end);
      spans.add(span);
      kept.push(candidate);
    }
    return kept.map(({ end: _end, ...finding }) => finding);
  }

  /**
   * The terms in every string of a JSON body (free text and structured fields alike; property
   * names are not scanned: they are the schema's), with the JSONPath of each string.
   */
  scanBody(body: unknown): BodyFinding[] {
    return bodyTexts(body).flatMap(({ field, text }) =>
      this.scanText(text).map((finding) => ({ field, ...finding })),
    );
  }

  /**
   * What the lists promise of themselves: each term finds its examples; no exception example and
   * no not-term example yields a finding of its topic in its language. Throws CONFIGURATION_INVALID.
   */
  checkExamples(): void {
    const problems: ErrorDetail[] = [];
    for (const term of this.compiled) {
      const file = `${term.language}.json`;
      for (const example of term.examples) {
        const found = this.scanText(example).some(
          (f) => f.term === term.term && f.topic === term.topic,
        );
        // A spelling shared with an earlier language is reported under it: still found.
        const shared = this.scanText(example).some(
          (f) =>
            f.topic === term.topic &&
            (this.languageOrder.get(f.language) ?? 0) <
              (this.languageOrder.get(term.language) ?? 0),
        );
        if (!found && !shared) {
          problems.push({
            file,
            field: `terms "${term.term}"`,
            message: `does not find its example "${example}"`,
          });
        }
      }
      for (const exception of term.exceptions) {
        for (const example of exception.examples) {
          if (this.scanText(example).some((f) => f.term === term.term && f.topic === term.topic)) {
            problems.push({
              file,
              field: `terms "${term.term}" exception`,
              message: `still finds the term in "${example}"`,
            });
          }
        }
      }
    }
    for (const notTerm of this.lists.notTerms) {
      for (const example of notTerm.examples) {
        const found = this.scanText(example).filter((f) => f.topic === 'asylum');
        if (found.length > 0) {
          problems.push({
            file: `${notTerm.language}.json`,
            field: `notTerms "${notTerm.text}"`,
            message: `"${example}" is found as ${found.map((f) => `${f.language}:${f.term}`).join(', ')}`,
          });
        }
      }
    }
    throwIfAny(problems);
  }
}

function hardWordEnd(text: string, end: number): boolean {
  return (
    end >= text.length || !LETTER_OR_NUMBER.test(String.fromCodePoint(text.codePointAt(end) ?? 32))
  );
}

function previousIndex(text: string, index: number): number {
  const code = text.charCodeAt(index - 1);
  return code >= 0xdc00 && code <= 0xdfff && index >= 2 ? index - 2 : index - 1;
}

function buildView({ cells, texts, soft }: Reading): View {
  let length = 0;
  for (const text of texts) length += text.length;
  const starts = new Uint32Array(length);
  const ends = new Uint32Array(length);
  const softAt = new Uint8Array(length);
  let at = 0;
  texts.forEach((text, i) => {
    if (text.length === 0) return;
    if (soft?.has(i)) softAt[at] = 1;
    starts.fill(cells[i].start, at, at + text.length);
    ends.fill(cells[i].end, at, at + text.length);
    at += text.length;
  });
  return { text: texts.join(''), starts, ends, soft: softAt };
}

/**
 * The positions of the characters of words that may be disguised, to be read through look-alikes:
 * - as Latin: a word whose every letter is Latin or a look-alike of one, with at least one
 *   look-alike, and at least one character no Russian word has (a Latin or Greek letter, a digit,
 *   a Cyrillic letter outside the Russian alphabet: "аsуlum", "ЕАЅО");
 * - as Cyrillic: a Cyrillic word with Latin or Greek look-alikes in it ("убежищe"), a word of
 *   look-alikes with a digit that stands for a Cyrillic letter ("6e3" for без), and in a text with
 *   Cyrillic words, a word wholly of look-alikes ("CTATyC" for статус).
 * Ordinary English and Russian words are never read through look-alikes.
 */
function disguisedWords({ cells, texts }: Reading): { latin: Set<number>; cyrillic: Set<number> } {
  const latin = new Set<number>();
  const cyrillic = new Set<number>();
  const cyrillicText = cells.some((cell) => cell.script === 'cyrillic');
  const asLatin = (cell: Cell) => cell.latin !== cell.folded;
  const asCyrillic = (cell: Cell) => cell.cyrillic !== cell.folded;
  const inWord = (i: number) => {
    const kind = cells[i].kind;
    return kind === 'letter' || kind === 'digit' || kind === 'mark' || texts[i] === '';
  };
  for (let start = 0; start < cells.length;) {
    if (!inWord(start)) {
      start++;
      continue;
    }
    let end = start;
    while (end < cells.length && inWord(end)) end++;
    let letters = 0;
    let latinLookAlike = false;
    let allLatin = true;
    let notRussian = false;
    let cyrillicLetter = false;
    let cyrillicLookAlike = false;
    let cyrillicDigit = false;
    let allCyrillic = true;
    for (let i = start; i < end; i++) {
      const cell = cells[i];
      const letter = cell.kind === 'letter';
      if (letter) letters++;
      if (cell.script !== 'latin' && asLatin(cell)) latinLookAlike = true;
      if (letter && cell.script !== 'latin' && !asLatin(cell)) allLatin = false;
      if (
        cell.kind === 'digit' ||
        cell.script === 'latin' ||
        cell.script === 'greek' ||
        (cell.script === 'cyrillic' && !cell.russian)
      ) {
        notRussian = true;
      }
      if (cell.script === 'cyrillic') cyrillicLetter = true;
      if (cell.script !== 'cyrillic' && asCyrillic(cell)) cyrillicLookAlike = true;
      if (cell.kind === 'digit' && asCyrillic(cell)) cyrillicDigit = true;
      if (letter && cell.script !== 'cyrillic' && !asCyrillic(cell)) allCyrillic = false;
    }
    if (letters > 0 && latinLookAlike && allLatin && notRussian) {
      for (let i = start; i < end; i++) latin.add(i);
    }
    const cyrillicWord =
      cyrillicLetter || (letters > 0 && cyrillicDigit) || (cyrillicText && letters >= 2);
    if (cyrillicWord && cyrillicLookAlike && allCyrillic) {
      for (let i = start; i < end; i++) cyrillic.add(i);
    }
    start = end;
  }
  return { latin, cyrillic };
}

/**
 * Every string of a JSON body with its JSONPath, in document order. Throws a RangeError on a body
 * nested more than 64 levels deep (the API refuses those before any scan).
 */
export function bodyTexts(body: unknown): Array<{ field: string; text: string }> {
  const texts: Array<{ field: string; text: string }> = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 64) throw new RangeError(`a body nested more than 64 levels deep (${path})`);
    if (typeof value === 'string') texts.push({ field: path, text: value });
    else if (Array.isArray(value))
      value.forEach((item, i) => visit(item, childPath(path, i), depth + 1));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, childPath(path, key), depth + 1);
    }
  };
  visit(body, '$', 0);
  return texts;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}.${key}`;
  return `${parent}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** Validates term lists and builds a scanner; the lists' examples are checked. */
export function createTextScanner(lists: TermLists): TextScanner {
  const scanner = new TextScanner(lists);
  scanner.checkExamples();
  return scanner;
}

/** The scanner of the lists this build ships with, validated when the module loads. */
export const DEFAULT_SCANNER = createTextScanner(
  parseTermLists(TERM_LIST_DOCUMENTS, FOLDING_DOCUMENT),
);

/** Every term of the shipped lists, by language in SCAN_LANGUAGES order. */
export const PROTECTION_TERMS: readonly ProtectionTerm[] = DEFAULT_SCANNER.terms;

/** The terms in a text (the shipped lists). */
export function scanText(text: string): TermFinding[] {
  return DEFAULT_SCANNER.scanText(text);
}

/** The terms in every string of a JSON body (the shipped lists). */
export function scanBody(body: unknown): BodyFinding[] {
  return DEFAULT_SCANNER.scanBody(body);
}
