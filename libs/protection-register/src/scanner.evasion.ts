import fc from 'fast-check';
import type { Folding } from './protection-terms.js';

/*
 * What an officer in a hurry or an adversary does to a word so that a scanner misses it, as
 * fast-check arbitraries over a string (the scanner's and the policy's property tests). Each
 * evasion keeps the word readable to a person.
 */

/** Invisible or format characters (Default_Ignorable_Code_Point), and the braille blank. */
export const INVISIBLES = [
  '\u200B', // zero width space
  '\u200C', // zero width non-joiner
  '\u200D', // zero width joiner
  '\u2060', // word joiner
  '\u00AD', // soft hyphen
  '\uFEFF', // zero width no-break space
  '\u180E', // Mongolian vowel separator
  '\u2062', // invisible times
  '\u{E0020}', // tag space
  '\u{E0061}', // tag latin small letter a
  '\u2800', // braille pattern blank
];

const COMBINING = ['\u0301', '\u0336', '\u0332', '\u0308'];
const SPACING_SEPARATORS = [' ', '.', '_', ' . ', '*', '\u00A0'];
const LINE_BREAKS = ['-\n', '-\r\n', '- \n  ', '\u00AD\n', '\u2010\n'];

const isLetter = (c: string) => /\p{L}/u.test(c);
const isAlphanumeric = (c: string) => /^[\p{L}\p{N}]/u.test(c);
const isUpper = (c: string) => c !== c.toLowerCase();

/** For each letter as written, its look-alikes in other scripts (inverse of folding.json). */
export function lookAlikes(folding: Folding): Map<string, string[]> {
  const alikes = new Map<string, string[]>();
  const add = (target: string, from: string) =>
    alikes.set(target, [...(alikes.get(target) ?? []), from]);
  for (const map of [folding.toLatin, folding.toCyrillic]) {
    for (const [from, to] of map)
      add(/\p{N}/u.test(from) || !isUpper(from) ? to : to.toUpperCase(), from);
  }
  return alikes;
}

type Evasion = (word: string) => fc.Arbitrary<string>;

const randomCase: Evasion = (word) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((flags) =>
      [...word].map((c, i) => (flags[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
    );

/** Some letters (never all of them) replaced by look-alikes of another script. */
const confusables =
  (alikes: Map<string, string[]>): Evasion =>
  (word) => {
    const characters = [...word];
    const letters = characters.flatMap((c, i) => (isLetter(c) ? [i] : []));
    const replaceable = letters.filter((i) => alikes.has(characters[i]));
    if (replaceable.length === 0 || letters.length < 2) return fc.constant(word);
    return fc
      .subarray(replaceable, {
        minLength: 1,
        maxLength: Math.min(replaceable.length, letters.length - 1),
      })
      .chain((chosen) =>
        fc
          .tuple(...chosen.map((i) => fc.constantFrom(...alikes.get(characters[i])!)))
          .map((picks) => {
            const out = [...characters];
            chosen.forEach((i, n) => (out[i] = picks[n]));
            return out.join('');
          }),
      );
  };

const fullWidth: Evasion = (word) =>
  fc.constant(word.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)));

const mathematicalBold: Evasion = (word) =>
  fc.constant(
    word.replace(/[A-Za-z]/g, (c) =>
      String.fromCodePoint(
        c <= 'Z' ? 0x1d400 + c.charCodeAt(0) - 65 : 0x1d41a + c.charCodeAt(0) - 97,
      ),
    ),
  );

/**
 * Letters (and digits standing for letters) spaced out, a letter's combining marks with it, a
 * hyphen or an apostrophe where it is; words kept apart by a wider gap.
 */
const spacedOut: Evasion = (word) =>
  fc.constantFrom(...SPACING_SEPARATORS).map((separator) =>
    word
      .split(/\s+/)
      .map((part) =>
        (part.match(/\P{M}\p{M}*/gu) ?? []).reduce(
          (out, cluster, i, all) =>
            out +
            (i > 0 && isAlphanumeric(cluster) && isAlphanumeric(all[i - 1]) ? separator : '') +
            cluster,
          '',
        ),
      )
      .join(separator === ' ' || separator === '\u00A0' ? '   ' : ' '),
  );

/** A word hyphenated across a line break. */
const hyphenated: Evasion = (word) => {
  const characters = [...word];
  const cuts = characters.flatMap((c, i) =>
    i >= 2 && i <= characters.length - 2 && isLetter(characters[i - 1]) && isLetter(c) ? [i] : [],
  );
  if (cuts.length === 0) return fc.constant(word);
  return fc
    .tuple(fc.constantFrom(...cuts), fc.constantFrom(...LINE_BREAKS))
    .map(([cut, brk]) => characters.slice(0, cut).join('') + brk + characters.slice(cut).join(''));
};

const marked: Evasion = (word) =>
  fc
    .array(fc.option(fc.constantFrom(...COMBINING), { nil: undefined }), {
      minLength: [...word].length,
      maxLength: [...word].length,
    })
    .map((marks) => [...word].map((c, i) => (isLetter(c) && marks[i] ? c + marks[i] : c)).join(''));

/** Invisible characters inside the word (between its characters). */
const invisibles: Evasion = (word) => {
  const characters = [...word];
  return fc
    .array(
      fc.tuple(
        fc.integer({ min: 1, max: Math.max(1, characters.length - 1) }),
        fc.constantFrom(...INVISIBLES),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    )
    .map((inserts) => {
      const out = [...characters];
      for (const [at, c] of inserts.sort((a, b) => b[0] - a[0])) out.splice(at, 0, c);
      return out.join('');
    });
};

export const EVASION_NAMES = [
  'case',
  'confusables',
  'full-width',
  'mathematical-bold',
  'spaced-out',
  'hyphenated',
  'combining-marks',
  'invisibles',
] as const;
export type EvasionName = (typeof EVASION_NAMES)[number];

/**
 * A word with some evasions applied, in an order a person would (case first, so that look-alikes
 * match the case written; invisible characters last), and the names of those applied.
 */
export function evaded(
  word: string,
  folding: Folding,
): fc.Arbitrary<{ text: string; evasions: EvasionName[] }> {
  const steps: [EvasionName, Evasion][] = [
    ['case', randomCase],
    ['confusables', confusables(lookAlikes(folding))],
    ['full-width', fullWidth],
    ['mathematical-bold', mathematicalBold],
    ['spaced-out', spacedOut],
    ['hyphenated', hyphenated],
    ['combining-marks', marked],
    ['invisibles', invisibles],
  ];
  return fc
    .subarray(steps, { minLength: 1, maxLength: 4 })
    .filter(
      (chosen) =>
        !(
          chosen.some(([n]) => n === 'full-width') &&
          chosen.some(([n]) => n === 'mathematical-bold')
        ),
    )
    .chain((chosen) => {
      let result: fc.Arbitrary<string> = fc.constant(word);
      for (const [, evasion] of chosen) result = result.chain(evasion);
      return result.map((text) => ({ text, evasions: chosen.map(([name]) => name) }));
    });
}
