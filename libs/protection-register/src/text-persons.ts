import { personKeys, type IdentifierKey, type PersonIdentifiers } from './identifier-keys.js';
import {
  newTokenMemo,
  normaliseDateOfBirth,
  toLatinLowercase,
  withTokensRemembered,
} from './normalise.js';

/*
 * The persons a free text may name, for the register check (H-1). A summary of facts, a letter
 * or a scanned statement names people in running text, with nobody telling which words are a
 * name: "the victim, AL-HASSAN Mohammed (born 2 June 1998), applied ...". Every run of two to
 * MAX_WINDOW consecutive words is read as a person's full name, written without saying which word
 * is the family name (an alias without a comma, see name-readings.ts): checked on the names alone,
 * as a body's person without a date of birth is, and also with a full date of birth written near
 * it, which lets a text that omits a middle name, or spells it otherwise, still meet the entry.
 *
 * The text is read as the register reads names (toLatinLowercase): invisible characters and
 * look-alike letters folded, other scripts transliterated, so a disguise that the structured
 * check sees through is seen through here too. Punctuation does not end a run ("AL-HASSAN,
 * Mohammed" is one), a word with a digit does. Only persons whose complete names appear together
 * can meet an entry on the names alone: a name is never matched on one word.
 *
 * The cost is linear in the text's words: about a dozen keys per word, fewer where words repeat.
 */

/** Runs of up to this many words are read as a full name (two given names and a compound family name). */
export const MAX_WINDOW = 5;
/** A date of birth belongs to a name when it starts within this many characters of the name. */
const DATE_REACH = 80;

const APOSTROPHES = /['`\u2018\u2019\u02bb\u02bc\u02bf\u02be\u00b4]/g;
const WORD = /[a-z0-9]+/g;
const MONTH_WORD = String.raw`[a-z]{3,10}\.?`;
/** Day-precise dates as officers write them, on the Latin lower-case text. */
const DATES = new RegExp(
  [
    String.raw`\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b`,
    String.raw`\b\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\b`,
    String.raw`\b\d{8}\b`,
    String.raw`\b\d{1,2}(?:st|nd|rd|th|er)?\s+(?:de\s+)?${MONTH_WORD}\s+(?:de\s+)?\d{4}\b`,
    String.raw`\b${MONTH_WORD}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b`,
  ].join('|'),
  'g',
);

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface DateMention {
  readonly iso: string;
  readonly start: number;
  readonly end: number;
}

function datesIn(latin: string): DateMention[] {
  const dates: DateMention[] = [];
  for (const match of latin.matchAll(DATES)) {
    const date = normaliseDateOfBirth(match[0].replace(/\.(?=\s)/, ''));
    if (date?.precision !== 'day') continue;
    dates.push({ iso: date.iso, start: match.index, end: match.index + match[0].length });
  }
  return dates;
}

/**
 * The full date written nearest the name, within DATE_REACH characters of it. The dates are in
 * text order and do not overlap: only those within reach are looked at, so a text of many dates
 * costs no more per name than one of few.
 */
export function dateNear(
  dates: readonly DateMention[],
  start: number,
  end: number,
): string | undefined {
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (dates[middle].end < start - DATE_REACH) low = middle + 1;
    else high = middle;
  }
  let best: DateMention | undefined;
  let bestDistance = DATE_REACH + 1;
  for (let i = low; i < dates.length && dates[i].start <= end + DATE_REACH; i++) {
    const date = dates[i];
    const distance =
      date.start >= end ? date.start - end : date.end <= start ? start - date.end : 0;
    if (distance < bestDistance) {
      best = date;
      bestDistance = distance;
    }
  }
  return best?.iso;
}

/**
 * The identifier keys of every person a free text may name: each run of two to MAX_WINDOW words
 * read as a full name, alone and with the full date of birth written nearest it. Deduplicated.
 */
export function textPersonKeys(text: string): IdentifierKey[] {
  return new TextPersonsReader(text).read(Number.POSITIVE_INFINITY);
}

/**
 * Reads the persons a free text may name (textPersonKeys) a slice of its words at a time, so that
 * a long text (an attachment's) can be read between other work. Each slice returns the keys it
 * adds, none twice; all slices together give what textPersonKeys gives, in the same order.
 */
export class TextPersonsReader {
  private readonly words: Word[] = [];
  private readonly dates: DateMention[];
  private readonly keys = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly memo = newTokenMemo();
  private next = 0;

  constructor(text: string) {
    const latin = toLatinLowercase(text).replace(APOSTROPHES, '');
    this.dates = datesIn(latin);
    for (const match of latin.matchAll(WORD)) {
      this.words.push({ text: match[0], start: match.index, end: match.index + match[0].length });
    }
  }

  get done(): boolean {
    return this.next >= this.words.length;
  }

  /** The keys of the runs that start at the next `count` words, less those already read. */
  read(count: number): IdentifierKey[] {
    return withTokensRemembered(this.memo, () => {
      const added: IdentifierKey[] = [];
      const add = (person: PersonIdentifiers) => {
        for (const key of personKeys(person)) {
          if (this.keys.has(key.canonical)) continue;
          this.keys.add(key.canonical);
          added.push(key);
        }
      };
      const { words } = this;
      const until = Math.min(words.length, this.next + count);
      for (; this.next < until; this.next++) {
        const first = this.next;
        for (let size = 2; size <= MAX_WINDOW && first + size <= words.length; size++) {
          const last = words[first + size - 1];
          if (/\d/.test(last.text) || (size === 2 && /\d/.test(words[first].text))) break;
          const name = words
            .slice(first, first + size)
            .map((word) => word.text)
            .join(' ');
          const dateOfBirth = dateNear(this.dates, words[first].start, last.end);
          const candidate = `${name}|${dateOfBirth ?? ''}`;
          if (this.seen.has(candidate)) continue;
          this.seen.add(candidate);
          add({ names: { aliases: [name] } });
          if (dateOfBirth !== undefined) add({ names: { aliases: [name] }, dateOfBirth });
        }
      }
      return added;
    });
  }
}
