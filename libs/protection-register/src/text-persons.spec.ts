import fc from 'fast-check';
import { registrationKeys, type RegistrationIdentifiers } from './identifier-keys.js';
import { dateNear, MAX_WINDOW, textPersonKeys, type DateMention } from './text-persons.js';

/*
 * A registered person named in running text (a summary of facts, a letter, a PDF's text layer)
 * must meet their entry as a person named in the body's `persons` does (H-1), whatever words
 * surround the name and however it is disguised; text that names nobody registered must not.
 */

function meets(text: string, registration: RegistrationIdentifiers): boolean {
  const registered = new Set(registrationKeys(registration).map((key) => key.canonical));
  return textPersonKeys(text).some((key) => registered.has(key.canonical));
}

const MOHAMMED: RegistrationIdentifiers = {
  names: [{ givenNames: ['Mohammed', 'Ali'], familyNames: ['Al-Hassan'] }],
  datesOfBirth: ['02/06/1998'],
};

describe('persons named in free text', () => {
  it.each([
    ['the complete names, in any order', 'The victim, Ali Mohammed AL-HASSAN, was recruited.'],
    ['"FAMILY, Given" with a comma', 'Witness: AL-HASSAN, Mohammed Ali. Statement follows.'],
    ['a compound written joined', 'Mohammed Ali ALHASSAN travelled to Lyon.'],
    [
      'a middle name left out, with the date of birth near it',
      'Mohammed Al-Hassan, born 2 June 1998 in Aleppo, applied in March.',
    ],
    ['the date written in French', 'M. Mohammed Al Hassan, né le 02/06/1998, a déclaré ...'],
    ['a zero-width space inside a name', 'Mohammed Ali Al-Has\u200bsan arrived.'],
    ['Cyrillic look-alike letters', 'Mohаmmed Аli Al-Hassаn arrived.'],
    ['full-width letters', 'Ｍｏｈａｍｍｅｄ Ａｌｉ Al-Hassan arrived.'],
    ['Arabic script, with the date', 'وصل محمد علي الحسن (1998-06-02) إلى المدينة'],
    ['another romanisation, with the date', 'Muhammad Al-Hassan (1998-06-02) left Homs.'],
    ['a line break inside the name', 'Signed by Mohammed Ali\nAl-Hassan on the day.'],
  ])('%s meets the entry', (_case, text) => {
    expect(meets(text, MOHAMMED)).toBe(true);
  });

  it.each([
    ['one given name alone', 'Mohammed arrived in Lyon on Friday.'],
    ['the family name alone', 'The Al-Hassan family was not present.'],
    ['a middle name left out, without a date', 'Mohammed Al-Hassan arrived in Lyon.'],
    ['a middle name left out, another date', 'Mohammed Al-Hassan, born 3 June 1998, arrived.'],
    ['names split by a number', 'Mohammed Ali 12 Al-Hassan Street.'],
    ['nobody at all', 'Recruiters in Benin City arranged travel to France through Libya.'],
  ])('%s does not meet it', (_case, text) => {
    expect(meets(text, MOHAMMED)).toBe(false);
  });

  const FILLER = [
    'the',
    'victim',
    'recruited',
    'in',
    'Lagos',
    'was',
    'transferred',
    'to',
    'Paris',
    'by',
    'car',
    'la',
    'victime',
    'a',
    'été',
    'كان',
    'في',
    'жертва',
    'была',
    '被害人',
  ];
  const filler = fc.array(fc.constantFrom(...FILLER), { maxLength: 30 }).map((w) => w.join(' '));
  const syllables = fc
    .array(fc.constantFrom('ba', 'ko', 'ne', 'ri', 'sa', 'tu', 'lem', 'dar', 'fi', 'zan'), {
      minLength: 2,
      maxLength: 4,
    })
    .map((parts) => parts.join(''));
  // Two different names at least: a name of one word is never matched alone (identifier-keys.ts).
  const person = fc
    .record({
      given: fc.array(syllables, { minLength: 1, maxLength: 2 }),
      family: fc.array(syllables, { minLength: 1, maxLength: 2 }),
    })
    .filter((p) => new Set([...p.given, ...p.family]).size >= 2);
  const punctuation = fc.constantFrom(' ', ', ', ' - ', ' (', ': ', '\n', '. ');

  it('a registered person written anywhere in a text, in any order, meets their entry', () => {
    fc.assert(
      fc.property(
        person,
        filler,
        filler,
        punctuation,
        fc.boolean(),
        (p, before, after, separator, familyFirst) => {
          const family = p.family.join('-').toUpperCase();
          const given = p.given.join(' ');
          const name = familyFirst ? `${family}, ${given}` : `${given} ${family}`;
          const text = `${before}${separator}${name}${separator}${after}`;
          return meets(text, { names: [{ givenNames: p.given, familyNames: [family] }] });
        },
      ),
    );
  });

  it('a text of other words never meets a registered person', () => {
    fc.assert(
      fc.property(person, filler, (p, text) => {
        return !meets(text, { names: [{ givenNames: p.given, familyNames: p.family }] });
      }),
    );
  });

  it('costs a bounded number of keys per word', () => {
    fc.assert(
      fc.property(fc.array(syllables, { minLength: 1, maxLength: 200 }), (words) => {
        const keys = textPersonKeys(words.join(' '));
        // Windows of 2..MAX_WINDOW words, each with its readings (compounds joined).
        return keys.length <= words.length * MAX_WINDOW * MAX_WINDOW;
      }),
    );
  });
});

describe('the date nearest a name', () => {
  /** The plain reading: every date looked at, the first of the nearest kept. */
  function linear(dates: readonly DateMention[], start: number, end: number): string | undefined {
    let best: DateMention | undefined;
    let bestDistance = 81;
    for (const date of dates) {
      const distance =
        date.start >= end ? date.start - end : date.end <= start ? start - date.end : 0;
      if (distance < bestDistance) {
        best = date;
        bestDistance = distance;
      }
    }
    return best?.iso;
  }

  it('is the one the plain reading finds, ties and reach included', () => {
    // Dates in text order without overlap, as a text's matches come; gaps and lengths small
    // enough that ties and the 80-character reach are met often.
    const dates = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 12 })), {
        maxLength: 40,
      })
      .map((spans) => {
        let at = 0;
        return spans.map(([gap, length], i) => {
          const start = at + gap;
          at = start + length;
          return { iso: `date-${i}`, start, end: at };
        });
      });
    fc.assert(
      fc.property(
        dates,
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 60 }),
        (mentions, start, length) => {
          expect(dateNear(mentions, start, start + length)).toBe(
            linear(mentions, start, start + length),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
