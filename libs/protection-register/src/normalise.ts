import anyAscii from 'any-ascii';
import { createRequire } from 'node:module';

/*
 * Normalisation of the identifiers the protected-persons register matches on (names, dates of
 * birth, document numbers), so that the same person matches however an officer typed them: in
 * another script, with or without diacritics, in another case, in another order, with other
 * punctuation, with a date in another format.
 *
 * Everything here is deterministic and independent of locale and time: the asylum authority that
 * registers a person and the gateway that checks a message must derive the very same keys.
 * Changing any rule changes the keys: bump KEY_VERSION (identifier-keys.ts) and re-register.
 */

/**
 * Combining marks are dropped after letters of these scripts: accents and cedillas (Latin),
 * tonos and dialytika (Greek), breve and diaeresis (Cyrillic: Й → И, Ё → Е), harakat and hamza
 * (Arabic: أ إ آ → ا, ئ → ي, ؤ → و; the short vowels that Arabic writes only sometimes), niqqud
 * (Hebrew). Marks of other scripts carry sounds (Devanagari vowel signs, kana voicing) and are
 * left for the transliteration to read.
 */
const OPTIONAL_MARKS =
  /([\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Hebrew}])\p{M}+/gu;

/**
 * Fixes applied before transliteration, where any-ascii's romanisation departs from the one found
 * in passports:
 * - Greek ΟΥ is "ou" in ELOT 743 / ICAO (Παπαδόπουλος → Papadopoulos), not "oy";
 * - Arabic ta marbuta (ة), the feminine ending of names, is written "a" in Latin (فاطمة → Fatima),
 *   not "h"; alef maksura (ى) is "a" (مصطفى → Mustafa) and any-ascii agrees;
 * - the Arabic tatweel (ـ), a purely typographic stretch, is dropped.
 */
const PRE_TRANSLITERATION: ReadonlyArray<readonly [RegExp, string]> = [
  [/[οΟ][υΥ]/g, 'ou'],
  [/\u0629/g, 'a'],
  [/\u0640/g, ''],
];

/** Apostrophes and their look-alikes join what they separate: O'Brien = OBrien, ʿAbd = Abd. */
const APOSTROPHES = /['`\u2018\u2019\u02bb\u02bc\u02bf\u02be\u00b4]/g;

/**
 * Characters that show as a blank gap without being a plain space: other Unicode spaces (no-break,
 * ideographic, em...), the braille pattern blank and the Hangul fillers. They separate words.
 */
const BLANKS = /[\p{Zs}\u2800\u115f\u1160\u3164\uffa0\u2028\u2029]/gu;

/**
 * Characters that show nothing: format characters (Cf: zero-width space, joiner and non-joiner,
 * word joiner, BOM, soft hyphen, bidirectional controls, tag characters U+E0000–E007F...) and
 * every other default-ignorable code point (variation selectors, combining grapheme joiner...).
 * Typed inside a name they split it for a machine and not for a reader: they are dropped.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** Text with invisible characters dropped and blank-looking ones read as spaces. */
export function stripInvisible(text: string): string {
  return text.replace(BLANKS, ' ').replace(INVISIBLE, '');
}

/**
 * Unicode's confusables (UTS #39, confusables.txt, as shipped by the `unhomoglyph` package):
 * each source character with the prototype it looks like.
 */
const CONFUSABLE_PROTOTYPES = createRequire(import.meta.url)('unhomoglyph/data.json') as Readonly<
  Record<string, string>
>;

/** Scripts whose letters look like Latin ones (Cyrillic а, Greek ο, Armenian օ, Cherokee Ꭺ...). */
const LOOK_ALIKE_SCRIPTS = [
  /\p{Script=Latin}/u,
  /\p{Script=Cyrillic}/u,
  /\p{Script=Greek}/u,
  /\p{Script=Armenian}/u,
  /\p{Script=Cherokee}/u,
  /\p{Script=Coptic}/u,
  /\p{Script=Lisu}/u,
];
const WORD = /[\p{L}\p{M}]+/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const LETTER = /\p{L}/u;

/** The Latin letter a character looks like (UTS #39 prototype), or undefined. */
function latinLookAlike(character: string): string | undefined {
  const prototype = CONFUSABLE_PROTOTYPES[character];
  if (prototype === undefined || !/^[A-Za-z]$/.test(prototype)) return undefined;
  // Unicode's prototype of capital I is lower-case l; in a name, capital І and Ι are an I.
  if (prototype === 'l' && character !== character.toLowerCase()) return 'I';
  return prototype;
}

/** Which of LOOK_ALIKE_SCRIPTS a letter belongs to (-1: another one, or none). */
function lookAlikeScript(letter: string): number {
  return LOOK_ALIKE_SCRIPTS.findIndex((script) => script.test(letter));
}

/**
 * Letters of another script inside a word of mixed scripts read as the Latin letters they look
 * like (UTS #39 confusable prototypes): `Okаfоr` with Cyrillic а and о is `Okafor`, `Ноang` with
 * Cyrillic Н is `Hoang`, `ΕΖΕ` mixing Cyrillic and Greek is `EZE`. No real name mixes scripts
 * within a word, so a mixed word was typed (or pasted) to look Latin. A word wholly in one script
 * (`Олена`) is a real spelling and is left to transliteration.
 */
export function foldConfusables(text: string): string {
  return text.replace(WORD, (word) => {
    if (PRINTABLE_ASCII.test(word)) return word;
    const scripts = new Set<number>();
    for (const character of word) {
      if (LETTER.test(character)) scripts.add(lookAlikeScript(character));
    }
    if (scripts.size < 2) return word;
    let folded = '';
    for (const character of word) {
      folded += (lookAlikeScript(character) > 0 && latinLookAlike(character)) || character;
    }
    return folded;
  });
}

/**
 * Text as a reader sees it: invisible characters dropped, blank-looking ones read as spaces,
 * compatibility forms folded (NFKC: full-width `Ｍａｒｉａ`, mathematical `𝐌𝐚𝐫𝐢𝐚`, ligatures), and
 * look-alike letters of other scripts inside a Latin word read as Latin (foldConfusables).
 * Exported for the free-text scanner, which faces the same disguises.
 */
export function foldInvisibleAndConfusable(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  // Look-alikes before NFKC, which would decompose some of them (Greek ͺ into a space and a mark).
  return foldConfusables(stripInvisible(text).normalize('NFC')).normalize('NFKC');
}

/**
 * Latin text in lower case, ASCII only: disguises folded (foldInvisibleAndConfusable), then
 * Unicode NFKD, optional diacritics dropped (see OPTIONAL_MARKS), then every other script
 * transliterated by any-ascii (Cyrillic, Greek, Arabic, Hebrew, Armenian, Georgian, Devanagari,
 * Han as pinyin, kana, hangul...), then lower-cased. NFKD also folds compatibility forms:
 * ligatures, full-width letters, Arabic presentation forms.
 */
export function toLatinLowercase(text: string): string {
  let folded = foldInvisibleAndConfusable(text)
    .normalize('NFKD')
    .replace(OPTIONAL_MARKS, '$1')
    .normalize('NFC');
  for (const [pattern, replacement] of PRE_TRANSLITERATION) {
    folded = folded.replace(pattern, replacement);
  }
  return anyAscii(folded).toLowerCase();
}

/**
 * Spelling variants of the same sound in the common romanisations of Cyrillic (GOST, ICAO 9303,
 * BGN/PCGN, French and German usage), Arabic and Greek, folded to one spelling. Applied in this
 * order to each name token (already lower-case ASCII). They make a name key a little less
 * precise (Mariya = Maria = Marija) in exchange for matching the same person spelled by two
 * authorities; every name key is combined with a date of birth or is only used when the message
 * has nothing better (see identifier-keys.ts).
 */
export const NAME_FOLDING_RULES: ReadonlyArray<{
  readonly pattern: RegExp;
  readonly replacement: string;
  readonly why: string;
}> = [
  { pattern: /x/g, replacement: 'ks', why: 'Alexander = Aleksandr' },
  { pattern: /ph/g, replacement: 'f', why: 'Joseph = Josef (Greek Φ)' },
  { pattern: /w/g, replacement: 'v', why: 'Wladimir = Vladimir, Ivanow = Ivanov' },
  { pattern: /q/g, replacement: 'k', why: 'Qasim = Kasim (Arabic ق)' },
  { pattern: /ck/g, replacement: 'k', why: 'Frederick = Frederik' },
  { pattern: /dzh|dj/g, replacement: 'j', why: 'Dzhamal = Djamal = Jamal (Cyrillic Дж)' },
  { pattern: /kh/g, replacement: 'h', why: 'Khalid = Halid (Cyrillic Х, Arabic خ)' },
  { pattern: /c(?!h)/g, replacement: 'k', why: 'Nicolai = Nikolai, Cyril = Kiril' },
  { pattern: /ou/g, replacement: 'u', why: 'Iouri = Iuri (French romanisation, Greek ΟΥ)' },
  { pattern: /[yj]/g, replacement: 'i', why: 'Yuliya = Iuliia = Julia (Cyrillic Й Ю Я)' },
  { pattern: /([a-z])\1+/g, replacement: '$1', why: 'Mohammed = Mohamed, Dmitrii = Dmitri' },
  { pattern: /([aeiou])h$/, replacement: '$1', why: 'Fatimah = Fatima, Sarah = Sara' },
];

function foldSpelling(token: string): string {
  let folded = token;
  for (const { pattern, replacement } of NAME_FOLDING_RULES) {
    folded = folded.replace(pattern, replacement);
  }
  return folded;
}

/**
 * The commonest Arabic names (and the particle Abd-el), each with its Latin spellings in English,
 * French and ICAO 9303 usage, and its Arabic script as transliterated without vowels: Arabic
 * writes no short vowels, so Mohamed, Muhammad and محمد (mhmd) differ in exactly what the script
 * leaves out. NAME_FOLDING_RULES already merge spellings that differ only in doubled letters,
 * y/i/j, ou/u, kh/h, ph/f...; these groups merge the rest, the first spelling naming the group.
 * Only spellings of one name are grouped: Hassan and Hussein, Said (سعيد) and Sayed (سيد) stay
 * apart, as does an Arabic spelling that may read as two names (حمد Hamad, أحمد Ahmad: hmd).
 */
export const NAME_VARIANTS: readonly (readonly string[])[] = [
  [
    'Mohamed',
    'Muhammad',
    'Mohammad',
    'Muhammed',
    'Mohamad',
    'Mouhamed',
    'Mahamat',
    'Mohd',
    'Mhd',
    'محمد',
  ],
  ['Ahmed', 'Ahmad', 'Ahmet'],
  ['Mahmoud', 'Mahmood', 'محمود'],
  ['Mustafa', 'Mostafa', 'Mostapha', 'مصطفى'],
  ['Omar', 'Umar', 'Omer'],
  ['Osman', 'Othman', 'Uthman', 'Usman', 'Ousmane', 'عثمان'],
  ['Yusuf', 'Youssef', 'Yousef', 'Yousif', 'Youcef', 'يوسف'],
  ['Ibrahim', 'Ebrahim', 'Ibraheem', 'Brahim', 'إبراهيم'],
  ['Ismail', 'Ismael', 'Esmail', 'إسماعيل'],
  ['Khalid', 'Khaled', 'Khaleed', 'خالد'],
  ['Hussein', 'Husain', 'Hussain', 'Hossein', 'Husayn', 'حسين'],
  ['Hassan', 'Hasan', 'Hassane', 'حسن'],
  ['Ali', 'Aly', 'علي'],
  ['Abdullah', 'Abdallah', 'Abdellah'],
  ['Abdel', 'Abdul', 'Abdal', 'Abdoul', 'Abdol'],
  ['Abdelrahman', 'Abdulrahman', 'Abderrahmane', 'Abdurrahman', 'Abdalrahman', 'عبدالرحمن'],
  ['Said', 'Saeed'],
  ['Walid', 'Waleed', 'Oualid'],
  ['Rashid', 'Rachid', 'Rasheed', 'Rashed'],
  ['Nasser', 'Nasir', 'Naser'],
  ['Saleh', 'Salih'],
  ['Hamza', 'Hamzeh', 'حمزة'],
  ['Fatima', 'Fatma', 'Fatema', 'Fatouma', 'Fatuma', 'فاطمة'],
  ['Aisha', 'Aicha', 'Ayesha', 'Aysha', 'عائشة'],
  ['Khadija', 'Khadidja', 'Khadeeja', 'Kadija', 'خديجة'],
  ['Zainab', 'Zeinab', 'Zaynab', 'Zenab', 'Zeynep', 'زينب'],
  ['Mariam', 'Maryam', 'Meryem', 'مريم'],
  ['Amina', 'Amena', 'Ameena'],
  ['Nour', 'Noor', 'Nur'],
  ['Yasmin', 'Yasmine', 'Yasmeen'],
];

/** Each folded spelling of NAME_VARIANTS with the folded spelling naming its group. */
const VARIANT_OF: ReadonlyMap<string, string> = new Map(
  NAME_VARIANTS.flatMap((group) => {
    const [first, ...others] = group.map((spelling) => nameWords(spelling).join(''));
    const canonical = foldSpelling(first);
    return others.map((spelling) => [foldSpelling(spelling), canonical] as const);
  }),
);

/** Tokens already folded, and their skeletons, by the reader of one text. */
export interface TokenMemo {
  readonly folded: Map<string, string>;
  readonly skeletons: Map<string, string>;
}

export function newTokenMemo(): TokenMemo {
  return { folded: new Map(), skeletons: new Map() };
}

/** The memo in use while `withTokensRemembered` runs; none outside it. */
let remembered: TokenMemo | undefined;

/**
 * Runs `work` (synchronous) with each token's folding and skeleton computed once: a free text
 * reads each of its words in many runs and readings (text-persons.ts). The memo belongs to the
 * caller (one text's reader), so no name stays in the process once that text is read.
 */
export function withTokensRemembered<T>(memo: TokenMemo, work: () => T): T {
  const outer = remembered;
  remembered = memo;
  try {
    return work();
  } finally {
    remembered = outer;
  }
}

/** `compute(token)`, from the memo in use when there is one and the token is in it. */
function remember(
  kind: keyof TokenMemo,
  token: string,
  compute: (token: string) => string,
): string {
  const memo = remembered?.[kind];
  const known = memo?.get(token);
  if (known !== undefined) return known;
  const value = compute(token);
  memo?.set(token, value);
  return value;
}

/** One name token folded by NAME_FOLDING_RULES, then to its group of NAME_VARIANTS. */
export function foldNameToken(token: string): string {
  return remember('folded', token, (word) => {
    const folded = foldSpelling(word);
    return VARIANT_OF.get(folded) ?? folded;
  });
}

/**
 * The tokens of a name as typed in one field ("Ézé, Blessing", "AL-HASSAN", "Елена"), in Latin,
 * lower case, folded (NAME_FOLDING_RULES), without duplicates. Apostrophes join (O'Brien →
 * obrien); any other punctuation, hyphen or space separates (Jean-Pierre → jean pierre).
 */
export function nameTokens(name: string): string[] {
  return [...new Set(nameWords(name).map(foldNameToken))];
}

/**
 * The words of a name as typed in one field, in Latin lower case, in order, not yet folded (see
 * nameTokens): apostrophes join, any other punctuation, hyphen or space separates.
 */
export function nameWords(name: string): string[] {
  return toLatinLowercase(name)
    .replace(APOSTROPHES, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/**
 * The canonical form of a set of name parts: all their tokens, sorted, separated by one space, so
 * that the order of given and family names, and which field each was typed in, does not matter.
 * Empty when there is no name.
 */
export function canonicalName(parts: readonly string[]): string {
  const tokens = new Set(parts.flatMap(nameTokens));
  return [...tokens].sort().join(' ');
}

/**
 * The consonant skeleton of a canonical name: vowels removed from each token (y and j are already
 * folded to i), tokens sorted again. Arabic script writes short vowels only in teaching texts, so
 * محمد transliterates to "mhmd", as does the skeleton of Mohamed, Mohammed and Muhammad.
 */
export function consonantSkeleton(canonical: string): string {
  const tokens = canonical
    .split(' ')
    .map(tokenSkeleton)
    .filter((token) => token.length > 0);
  return [...new Set(tokens)].sort().join(' ');
}

function tokenSkeleton(token: string): string {
  return remember('skeletons', token, (word) =>
    word.replace(/[aeiou]/g, '').replace(/([a-z])\1+/g, '$1'),
  );
}

/** A date of birth as precise as it is known. */
export interface NormalisedDate {
  /** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
  readonly iso: string;
  readonly year: string;
  readonly precision: 'day' | 'month' | 'year';
}

/** Month names and abbreviations (English, French, Spanish), folded to ASCII lower case. */
const MONTHS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [1, ['jan', 'january', 'janv', 'janvier', 'ene', 'enero']],
  [2, ['feb', 'february', 'fev', 'fevr', 'fevrier', 'febrero']],
  [3, ['mar', 'march', 'mars', 'marzo']],
  [4, ['apr', 'april', 'avr', 'avril', 'abr', 'abril']],
  [5, ['may', 'mai', 'mayo']],
  [6, ['jun', 'june', 'juin', 'junio']],
  [7, ['jul', 'july', 'juil', 'juillet', 'julio']],
  [8, ['aug', 'august', 'aou', 'aout', 'ago', 'agosto']],
  [9, ['sep', 'sept', 'september', 'septembre', 'set', 'septiembre', 'setiembre']],
  [10, ['oct', 'october', 'octobre', 'octubre']],
  [11, ['nov', 'november', 'novembre', 'noviembre']],
  [12, ['dec', 'december', 'decembre', 'dic', 'diciembre']],
];
const MONTH_BY_NAME = new Map(MONTHS.flatMap(([month, names]) => names.map((n) => [n, month])));

/** Years outside this range are typing errors, not dates of birth. */
const MIN_YEAR = 1850;
const MAX_YEAR = 2150;

/** A day or month written as unknown: 00, XX, ??, --, or nothing. */
const UNKNOWN_PART = /^(?:0{1,2}|x{1,2}|\?{1,2}|-{1,2}|)$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function fromParts(
  yearText: string,
  monthText: string | undefined,
  dayText: string | undefined,
): NormalisedDate | undefined {
  const year = Number(yearText);
  if (!/^\d{4}$/.test(yearText) || year < MIN_YEAR || year > MAX_YEAR) return undefined;
  const monthUnknown = monthText === undefined || UNKNOWN_PART.test(monthText);
  const dayUnknown = dayText === undefined || UNKNOWN_PART.test(dayText);
  if (monthUnknown) {
    // A day without a month says nothing: keep the year.
    return { iso: yearText, year: yearText, precision: 'year' };
  }
  const month = MONTH_BY_NAME.get(monthText) ?? Number(monthText);
  if (!Number.isInteger(month) || month < 1 || month > 12) return undefined;
  if (dayUnknown) {
    return { iso: `${yearText}-${pad(month)}`, year: yearText, precision: 'month' };
  }
  const day = Number(dayText);
  if (!/^\d{1,2}$/.test(dayText) || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { iso: `${yearText}-${pad(month)}-${pad(day)}`, year: yearText, precision: 'day' };
}

const PART = String.raw`(\d{1,2}|[a-z]{3,10}|x{1,2}|\?{1,2}|-{1,2})`;
const SEPARATOR = String.raw`\s*[-/.,\s]\s*`;
const YEAR_FIRST = new RegExp(
  String.raw`^(\d{4})(?:${SEPARATOR}${PART}(?:${SEPARATOR}${PART})?)?$`,
);
const YEAR_LAST = new RegExp(String.raw`^(?:${PART}${SEPARATOR})?${PART}${SEPARATOR}(\d{4})$`);

/**
 * A date of birth in any of the formats officers use, to ISO 8601 (`YYYY-MM-DD`, or `YYYY-MM` /
 * `YYYY` when only part is known), or `undefined` when it cannot be read unambiguously:
 * - year first: `1998-06-02`, `1998/6/2`, `1998.06.02`, `19980602`, `1998-06`, `1998`, and ISO
 *   timestamps (`1998-06-02T00:00:00Z`: the date part); eight digits that are no such date are
 *   read day first (`02061998`);
 * - day first (the international and European order): `02/06/1998`, `2.6.1998`, `02-06-1998`,
 *   `2 June 1998`, `02 JUN 1998`, `2 juin 1998`, `2 de junio de 1998`, `06/1998`, `June 1998`;
 * - month first only when unambiguous: `06/13/1998` (13 cannot be a month) reads as 13 June;
 *   `06/02/1998` is always 6 February, never 2 June;
 * - unknown parts written `00`, `XX`, `??` or `--` (`00.00.1990`, `XX/XX/1990`) leave a year or a
 *   year and month;
 * - two-digit years (`02/06/98`) are refused: their century would be a guess.
 */
export function normaliseDateOfBirth(raw: string): NormalisedDate | undefined {
  let text = toLatinLowercase(raw).trim().replace(/\s+/g, ' ');
  text = text.replace(/^(\d{4}-\d{2}-\d{2})t[\d:.]+(?:z|[+-][\d:]+)?$/, '$1');
  text = text.replace(/\s+de\s+/g, ' ').replace(/(\d)(?:st|nd|rd|th|er)\b/g, '$1');
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (compact) {
    return (
      fromParts(compact[1], compact[2], compact[3]) ?? // 19980602
      fromParts(text.slice(4), text.slice(2, 4), text.slice(0, 2)) // 02061998
    );
  }
  const yearFirst = YEAR_FIRST.exec(text);
  if (yearFirst) return fromParts(yearFirst[1], yearFirst[2], yearFirst[3]);
  const yearLast = YEAR_LAST.exec(text);
  if (!yearLast) return undefined;
  const [, first, second, year] = yearLast;
  if (first === undefined) return fromParts(year, second, undefined);
  if (/^[a-z]{3,}$/.test(first) && !/^[a-z]/.test(second)) {
    return fromParts(year, first, second); // June 2, 1998
  }
  if (/^\d+$/.test(first) && /^\d+$/.test(second) && Number(second) > 12 && Number(first) <= 12) {
    return fromParts(year, first, second); // 06/13/1998: month first, unambiguously
  }
  return fromParts(year, second, first);
}

/**
 * Cyrillic and Greek capitals that look like Latin ones, read as the Latin letter they look like:
 * in a document number an officer copies shapes, not sounds (Russian series АВ is "AB", not "AV").
 */
const LOOK_ALIKES: ReadonlyMap<string, string> = new Map(
  [
    ['АВЕКМНОРСТУХІЈЅ', 'ABEKMHOPCTYXIJS'],
    ['ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ', 'ABEZHIKMNOPTYX'],
  ].flatMap(([shapes, latin]) => [...shapes].map((shape, i) => [shape, latin[i]] as const)),
);

/**
 * A document number without spaces, dashes, dots or slashes, in upper case, Cyrillic and Greek
 * letters read as the Latin letters they look like (LOOK_ALIKES), others transliterated:
 * `A 123-456` = `a123456`, `АВ 1234567` (Cyrillic) = `AB1234567`. Letter O and digit 0 stay
 * distinct: both occur in real numbers.
 */
export function normaliseDocumentNumber(raw: string): string {
  const upper = raw.normalize('NFKC').toUpperCase();
  const shapes = [...upper].map((character) => LOOK_ALIKES.get(character) ?? character).join('');
  return toLatinLowercase(shapes)
    .replace(/[^a-z0-9]/g, '')
    .toUpperCase();
}

/** An ISO 3166-1 alpha-2 code in upper case, or `undefined` when it is not two letters. */
export function normaliseStateCode(raw: string): string | undefined {
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : undefined;
}
