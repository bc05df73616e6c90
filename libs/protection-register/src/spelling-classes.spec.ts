import { createRequire } from 'node:module';
import fc from 'fast-check';
import {
  personKeys,
  registrationKeys,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from './identifier-keys.js';
import { NAME_VARIANTS } from './normalise.js';

/*
 * For every registered person, each class of spelling an officer (or an evader) may use must
 * still meet the registration: a generated person, written another way by a generated variant
 * of the class, shares a key with the registration. And persons who are not registered rarely
 * meet any entry of a generated register.
 */

interface Person {
  readonly given: string[];
  readonly family: string[];
  /** ISO, as precise as known: the registration writes it in another format. */
  readonly date: string;
  readonly passport?: string;
}

const syllableName = fc
  .array(
    fc.constantFrom('ba', 'ko', 'ne', 'ri', 'sa', 'tu', 'lem', 'dar', 'fi', 'gho', 'zan', 'pe'),
    {
      minLength: 2,
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(''))
  .map((name) => name[0].toUpperCase() + name.slice(1));
const GIVEN = [
  'Blessing',
  'Chiamaka',
  'Tesfaye',
  'Olena',
  'Олена',
  'Yuliia',
  'Thi Lan',
  'Xiaomei',
  'Mohamed',
  'Fatima',
  'Aisha',
  'Khalid',
  'محمد',
  'Abdel Rahman',
  'Jean-Pierre',
];
const FAMILY = [
  'Okafor',
  'Abdel-Rahman',
  'Al-Hassan',
  'Abu Saad',
  'El Amrani',
  'Ben Ali',
  'Nguyen',
  'Петренко',
  'Gebremedhin',
  'الحسن',
  'Van der Berg',
];
const given = fc.oneof(fc.constantFrom(...GIVEN), syllableName);
const family = fc.oneof(fc.constantFrom(...FAMILY), syllableName);
const isoDate = fc
  .tuple(
    fc.integer({ min: 1960, max: 2010 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 2, max: 28 }),
    fc.constantFrom('day', 'day', 'day', 'month', 'year'),
  )
  .map(([year, month, day, precision]) => {
    const ym = `${year}-${String(month).padStart(2, '0')}`;
    return precision === 'year'
      ? `${year}`
      : precision === 'month'
        ? ym
        : `${ym}-${String(day).padStart(2, '0')}`;
  });
const person: fc.Arbitrary<Person> = fc.record(
  {
    given: fc.uniqueArray(given, { minLength: 1, maxLength: 3 }),
    family: fc.uniqueArray(family, { minLength: 1, maxLength: 2 }),
    date: isoDate,
    passport: fc.integer({ min: 1_000_000, max: 9_999_999 }).map((n) => `A${n}`),
  },
  { requiredKeys: ['given', 'family', 'date'] },
);

/** The date as the asylum authority typed it (day first, or the year alone). */
function typedDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  if (day) return `${day}/${month}/${year}`;
  return month ? `${month}/${year}` : year;
}

function registrationOf(p: Person): RegistrationIdentifiers {
  return {
    names: [{ givenNames: p.given, familyNames: p.family }],
    datesOfBirth: [typedDate(p.date)],
    documents: p.passport ? [{ number: p.passport, issuingState: 'NG' }] : [],
  };
}

function meets(message: PersonIdentifiers, p: Person): boolean {
  const registered = new Set(registrationKeys(registrationOf(p)).map((key) => key.canonical));
  return personKeys(message).some((key) => registered.has(key.canonical));
}

/** Another desk's writing: given names reordered, family names in capitals, ISO date. */
function message(p: Person, names: PersonIdentifiers['names']): PersonIdentifiers {
  return { names, dateOfBirth: p.date };
}
const reordered = (p: Person) => ({
  givenNames: [...p.given].reverse(),
  familyNames: p.family.map((name) => name.toUpperCase()),
});

const isLatin = (name: string) => /^[A-Za-z]+$/.test(name);
const COMPOUND = /[- ]/;

/** Replaces the `index`-th name (modulo) that `applies` to, given names first. */
function rewriteOne(
  names: { givenNames: string[]; familyNames: string[] },
  applies: (name: string) => boolean,
  index: number,
  rewrite: (name: string) => string,
) {
  const all = [...names.givenNames, ...names.familyNames].filter(applies);
  const target = all[index % all.length];
  const swap = (list: string[]) => list.map((name) => (name === target ? rewrite(name) : name));
  return { givenNames: swap(names.givenNames), familyNames: swap(names.familyNames) };
}

function check(
  applies: (p: Person) => boolean,
  write: (p: Person) => fc.Arbitrary<PersonIdentifiers>,
) {
  fc.assert(
    fc.property(
      person.filter(applies).chain((p) => write(p).map((m) => [p, m] as const)),
      ([p, m]) => {
        expect({ message: m, meets: meets(m, p) }).toEqual({ message: m, meets: true });
      },
    ),
    { numRuns: 300 },
  );
}

/** Spellings of a name that differ only in what the folding rules or NAME_VARIANTS merge. */
function otherSpellings(name: string): string[] {
  const group = NAME_VARIANTS.find((spellings) => spellings.includes(name));
  const folded = [
    name.replace(/y/g, 'i'),
    name.replace(/i/g, 'y'),
    name.replace(/([a-z])/, '$1$1'),
    name.replace(/ou/g, 'u'),
    name.replace(/k/g, 'c'),
    name.replace(/v/g, 'w'),
    name.endsWith('a') ? `${name}h` : name,
  ];
  return [...new Set([...(group ?? []), ...folded])].filter((spelling) => spelling !== name);
}

/** Letters of Cyrillic, Greek, Armenian... that look like each Latin letter (UTS #39). */
const LOOK_ALIKES: ReadonlyMap<string, string[]> = (() => {
  const table = createRequire(import.meta.url)('unhomoglyph/data.json') as Record<string, string>;
  const scripts = /^[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]$/u;
  const letter = /^\p{L}$/u;
  const alikes = new Map<string, string[]>();
  for (const [source, prototype] of Object.entries(table)) {
    // Capital I's prototype is l: a look-alike of l stands for I only in capitals.
    if (!/^[A-Za-z]$/.test(prototype) || prototype === 'l') continue;
    if (!scripts.test(source) || !letter.test(source)) continue;
    alikes.set(prototype, [...(alikes.get(prototype) ?? []), source]);
  }
  return alikes;
})();

const INVISIBLE = fc.oneof(
  fc.constantFrom(
    '\u200b',
    '\u200c',
    '\u200d',
    '\u2060',
    '\ufeff',
    '\u00ad',
    '\u2800',
    '\u034f',
    '\u180e',
    '\u200e',
    '\u202e',
    '\ufe0f',
    '\u3164',
  ),
  fc.integer({ min: 0xe0000, max: 0xe007f }).map((code) => String.fromCodePoint(code)),
);

describe('every spelling class of a registered person meets the registration (fast-check)', () => {
  it('compound names hyphenated, spaced or joined, with or without another given spelling', () => {
    check(
      (p) => p.family.some((name) => COMPOUND.test(name)),
      (p) =>
        fc
          .tuple(
            fc.array(fc.constantFrom('-', ' ', ''), { minLength: 3, maxLength: 3 }),
            fc.boolean(),
            fc.nat(),
          )
          .map(([separators, respell, pick]) => {
            const familyNames = p.family.map((name) =>
              name
                .split(/[- ]/)
                .map((word, i) => (i === 0 ? word : separators[(i - 1) % 3] + word))
                .join('')
                .toUpperCase(),
            );
            const givenNames = p.given.map((name) => {
              const spellings = otherSpellings(name);
              return respell && spellings.length > 0 ? spellings[pick % spellings.length] : name;
            });
            return message(p, { givenNames, familyNames });
          }),
    );
  });

  it('a name split by a space inside it', () => {
    check(
      (p) => [...p.given, ...p.family].some((name) => isLatin(name) && name.length >= 2),
      (p) =>
        fc.tuple(fc.nat(), fc.nat()).map(([which, at]) =>
          message(
            p,
            rewriteOne(
              reordered(p),
              (name) => isLatin(name) && name.length >= 2,
              which,
              (name) => {
                const position = 1 + (at % (name.length - 1));
                return `${name.slice(0, position)} ${name.slice(position)}`;
              },
            ),
          ),
        ),
    );
  });

  it('transliteration variants: NAME_VARIANTS, and what the folding rules merge', () => {
    check(
      (p) => p.given.some((name) => otherSpellings(name).length > 0),
      (p) =>
        fc.tuple(fc.nat(), fc.nat()).map(([which, pick]) =>
          message(
            p,
            rewriteOne(
              { givenNames: [...p.given].reverse(), familyNames: p.family },
              (name) => p.given.includes(name) && otherSpellings(name).length > 0,
              which,
              (name) => otherSpellings(name)[pick % otherSpellings(name).length],
            ),
          ),
        ),
    );
  });

  it('invisible and format characters anywhere in the names', () => {
    check(
      () => true,
      (p) =>
        fc
          .array(fc.tuple(fc.nat(), fc.nat(), INVISIBLE), { minLength: 1, maxLength: 4 })
          .map((inserts) => {
            let names = reordered(p);
            for (const [which, at, character] of inserts) {
              names = rewriteOne(
                names,
                () => true,
                which,
                (name) => {
                  const characters = [...name];
                  characters.splice(at % (characters.length + 1), 0, character);
                  return characters.join('');
                },
              );
            }
            return message(p, names);
          }),
    );
  });

  it('look-alike letters of other scripts inside a Latin name (UTS #39 confusables)', () => {
    const swappable = (name: string) =>
      isLatin(name) && name.length >= 2 && [...name].some((letter) => LOOK_ALIKES.has(letter));
    check(
      (p) => [...p.given, ...p.family].some(swappable),
      (p) =>
        fc.tuple(fc.nat(), fc.infiniteStream(fc.nat())).map(([which, choices]) =>
          message(
            p,
            rewriteOne(reordered(p), swappable, which, (name) => {
              const letters = [...name];
              const next = (): number => choices.next().value as number;
              const kept = next() % letters.length; // a mixed word, not another script
              return letters
                .map((letter, i) => {
                  const alikes = LOOK_ALIKES.get(letter);
                  const choice = next();
                  return i === kept || !alikes || choice % 3 === 0
                    ? letter
                    : alikes[choice % alikes.length];
                })
                .join('');
            }),
          ),
        ),
    );
  });

  it('full-width and mathematical forms', () => {
    check(
      () => true,
      (p) =>
        fc.constantFrom(0xfee0, 0x1d3bf).map((offset) => {
          const wide = (name: string) =>
            name.replace(/[A-Za-z]/g, (letter) => {
              const code = letter.charCodeAt(0);
              // Mathematical bold: 𝐀 is U+1D400, 𝐚 U+1D41A.
              if (offset !== 0xfee0)
                return String.fromCodePoint(code < 97 ? 0x1d400 + code - 65 : 0x1d41a + code - 97);
              return String.fromCodePoint(code + offset);
            });
          const names = reordered(p);
          return message(p, {
            givenNames: names.givenNames.map(wide),
            familyNames: names.familyNames.map(wide),
          });
        }),
    );
  });

  it('"FAMILY, Given" typed in one field, or as an alias', () => {
    check(
      () => true,
      (p) =>
        fc.constantFrom('family', 'given', 'alias').map((field) => {
          const typed = `${p.family.join(' ').toUpperCase()}, ${p.given.join(' ')}`;
          if (field === 'family') return message(p, { familyNames: [typed] });
          if (field === 'given') return message(p, { givenNames: [typed] });
          return message(p, { aliases: [typed] });
        }),
    );
  });

  it('initials of the given names, with the date of birth or a document', () => {
    check(
      (p) =>
        p.given.every((name) => /^[A-Za-z]/.test(name)) &&
        (p.date.length === 10 || p.passport !== undefined),
      (p) =>
        fc.tuple(fc.boolean(), fc.boolean()).map(([dotted, joined]) => {
          const initials = p.given
            .flatMap((name) => name.split(/[- ]/))
            .map((name) => `${name[0]}${dotted ? '.' : ''}`);
          const familyNames = joined ? p.family.map((name) => name.replace(/[- ]/g, '')) : p.family;
          return {
            names: { givenNames: initials, familyNames },
            dateOfBirth: p.date,
            ...(p.date.length < 10 && { documents: [{ number: p.passport!, issuingState: 'NG' }] }),
          };
        }),
    );
  });
});

describe('persons who are not registered', () => {
  // Names of a population as diverse as a real one: hundreds of given and family names, some far
  // more common than others (the bench, with a few dozen names per country, is the harsh case).
  const names = (count: number, seed: number) => [
    ...new Set(fc.sample(fc.noBias(syllableName), { numRuns: count, seed })),
  ];
  const commonFirst = <T>(pool: readonly T[]) =>
    fc
      .integer({ min: 0, max: 999 })
      .map((roll) => pool[Math.floor((roll / 1000) ** 2 * pool.length)]);
  const populationPerson: fc.Arbitrary<Person> = fc.record(
    {
      given: fc.uniqueArray(commonFirst(names(300, 1)), { minLength: 1, maxLength: 2 }),
      family: fc.uniqueArray(commonFirst(names(1500, 2)), { minLength: 1, maxLength: 1 }),
      date: isoDate,
      passport: fc.integer({ min: 1_000_000, max: 9_999_999 }).map((n) => `A${n}`),
    },
    { requiredKeys: ['given', 'family', 'date'] },
  );

  it('rarely meet an entry of the register', () => {
    const registered = fc.sample(fc.noBias(populationPerson), { numRuns: 5000, seed: 20260612 });
    const others = fc.sample(fc.noBias(populationPerson), { numRuns: 5000, seed: 7 });
    const keys = new Set(
      registered.flatMap((p) => registrationKeys(registrationOf(p)).map((k) => k.canonical)),
    );
    const identity = (p: Person) => JSON.stringify([p.given, p.family, p.date, p.passport]);
    const sameAs = new Set(registered.map(identity));
    const unrelated = others.filter((p) => !sameAs.has(identity(p)));
    const hits = unrelated.filter((p) =>
      personKeys({
        names: { givenNames: p.given, familyNames: p.family },
        dateOfBirth: p.date,
        documents: p.passport ? [{ number: p.passport, issuingState: 'NG' }] : [],
      }).some((key) => keys.has(key.canonical)),
    );
    expect(unrelated.length).toBeGreaterThan(4900);
    expect(hits.length / unrelated.length).toBeLessThanOrEqual(0.01);
  });
});
