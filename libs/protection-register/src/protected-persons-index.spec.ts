import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { checkPersons } from './check-persons.js';
import type { PersonIdentifiers, RegistrationIdentifiers } from './identifier-keys.js';
import { keyedHash, personHashes, registrationHashes } from './keyed-hash.js';
import { fingerprintOf, ProtectedPersonsIndex } from './protected-persons-index.js';

const secret = randomBytes(32);
const hash = (text: string) => keyedHash(secret, text);

const blessing: RegistrationIdentifiers = {
  names: [{ givenNames: ['Blessing'], familyNames: ['Eze'] }],
  datesOfBirth: ['1998-06-02'],
  documents: [{ kind: 'passport', number: 'A1234567', issuingState: 'NG' }],
};
const elena: RegistrationIdentifiers = {
  names: [{ givenNames: ['Елена'], familyNames: ['Петрова'] }],
  datesOfBirth: ['1985'],
};

function registerOf(...entries: [string, RegistrationIdentifiers, string[]][]) {
  const index = new ProtectedPersonsIndex();
  for (const [id, registration, shieldFrom] of entries) {
    index.add(id, registrationHashes(secret, registration), shieldFrom);
  }
  return index;
}

describe('fingerprintOf', () => {
  it('is the first 8 bytes of the hash, big-endian halves', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
        const bytes = Buffer.from(digest);
        expect(fingerprintOf(bytes.toString('base64url'))).toEqual([
          bytes.readUInt32BE(0),
          bytes.readUInt32BE(4),
        ]);
      }),
    );
  });

  it('refuses anything but 43 base64url characters', () => {
    const valid = hash('x');
    for (const bad of [
      valid.slice(1),
      `${valid}A`,
      `${valid.slice(0, 42)}=`,
      `é${valid.slice(1)}`,
    ]) {
      expect(() => fingerprintOf(bad)).toThrow(TypeError);
    }
    expect(() => fingerprintOf(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('ProtectedPersonsIndex', () => {
  it('finds an entry by any of its hashes, and nothing by others', () => {
    const index = new ProtectedPersonsIndex();
    index.add('e1', [hash('a'), hash('b')], ['ng']);
    expect(index.lookup([hash('b')])).toEqual([{ entryId: 'e1', shieldFrom: ['NG'] }]);
    expect(index.lookup([hash('a'), hash('b'), hash('c')])).toEqual([
      { entryId: 'e1', shieldFrom: ['NG'] },
    ]);
    expect(index.lookup([hash('c')])).toEqual([]);
    expect(index.lookup([])).toEqual([]);
    expect(index.size).toBe(1);
    expect(index.has('e1')).toBe(true);
  });

  it('keeps entries that share a hash apart, and removes one without the other', () => {
    const index = new ProtectedPersonsIndex();
    index.add('e1', [hash('shared'), hash('one')], ['NG', 'GH', 'NG']);
    index.add('e2', [hash('shared'), hash('two')], ['ER']);
    index.add('e3', [hash('shared')], ['GH', 'NG']);
    const byId = (hits: { entryId: string }[]) => hits.map((hit) => hit.entryId).sort();
    expect(byId(index.lookup([hash('shared')]))).toEqual(['e1', 'e2', 'e3']);
    expect(index.lookup([hash('one')])[0].shieldFrom).toEqual(['GH', 'NG']);

    expect(index.remove('e2')).toBe(true);
    expect(index.remove('e2')).toBe(false);
    expect(byId(index.lookup([hash('shared')]))).toEqual(['e1', 'e3']);
    expect(index.lookup([hash('two')])).toEqual([]);
    index.remove('e1');
    expect(byId(index.lookup([hash('shared'), hash('one')]))).toEqual(['e3']);
    index.remove('e3');
    expect(index.lookup([hash('shared')])).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('replaces an entry added again under the same id', () => {
    const index = new ProtectedPersonsIndex();
    index.add('e1', [hash('old')], ['NG']);
    index.add('e1', [hash('new')], ['ER']);
    expect(index.size).toBe(1);
    expect(index.lookup([hash('old')])).toEqual([]);
    expect(index.lookup([hash('new')])).toEqual([{ entryId: 'e1', shieldFrom: ['ER'] }]);
  });

  it('refuses malformed entries and hashes', () => {
    const index = new ProtectedPersonsIndex();
    expect(() => index.add('', [hash('a')], ['NG'])).toThrow(TypeError);
    expect(() => index.add('e1', [], ['NG'])).toThrow(RangeError);
    expect(() => index.add('e1', ['not a hash'], ['NG'])).toThrow(TypeError);
    expect(() => index.add('e1', [hash('a')], [])).toThrow(RangeError);
    expect(() => index.add('e1', [hash('a')], ['Nigeria'])).toThrow(RangeError);
    expect(() => index.lookup(['Blessing Eze'])).toThrow(TypeError);
    expect(index.size).toBe(0);
  });

  it('keeps an entry when its replacement is refused, and counts a repeated hash once', () => {
    const index = new ProtectedPersonsIndex();
    index.add('e1', [hash('a'), hash('a'), hash('b')], ['NG']);
    expect(() => index.add('e1', [hash('c'), 'bad'], ['NG'])).toThrow(TypeError);
    expect(index.lookup([hash('a')])).toEqual([{ entryId: 'e1', shieldFrom: ['NG'] }]);
    expect(index.lookup([hash('c')])).toEqual([]);
    index.remove('e1');
    expect(index.lookup([hash('a'), hash('b')])).toEqual([]);
  });

  it('stays consistent through many additions and removals (pool compaction, reused slots)', () => {
    const index = new ProtectedPersonsIndex();
    for (let i = 0; i < 20_000; i++) {
      index.add(`e${i}`, [hash(`k${i}`), hash(`k${i}'`), hash(`group${i % 7}`)], ['NG']);
      if (i % 3 !== 0) index.remove(`e${i}`);
    }
    const kept = Array.from({ length: 20_000 }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(index.size).toBe(kept.length);
    for (const i of [0, 3, 9_999, 19_998]) {
      expect(index.lookup([hash(`k${i}'`)])).toEqual([{ entryId: `e${i}`, shieldFrom: ['NG'] }]);
    }
    expect(index.lookup([hash('k1')])).toEqual([]);
    expect(index.lookup([hash('group0')])).toHaveLength(kept.filter((i) => i % 7 === 0).length);
  });
});

describe('checkPersons', () => {
  const index = registerOf(
    ['reg-1', blessing, ['NG']],
    ['reg-2', elena, ['RU', 'BY']],
    ['reg-3', { names: [{ givenNames: ['Blessing'], familyNames: ['Eze'] }] }, ['GH']],
  );

  it('reports each person found, the States to shield them from and how they matched', () => {
    const persons: PersonIdentifiers[] = [
      { names: { givenNames: ['Amaka'], familyNames: ['Obi'] }, dateOfBirth: '1998-06-02' },
      { names: { givenNames: ['EZE'], familyNames: ['Blessing'] }, dateOfBirth: '02/06/1998' },
      { names: { familyNames: ['Petrova'], givenNames: ['Elena'] }, dateOfBirth: '12.03.1985' },
      {
        names: { familyNames: ['Nobody'] },
        documents: [{ number: 'a 123 4567', issuingState: 'ng' }],
      },
    ];
    expect(checkPersons(index, secret, persons)).toEqual([
      {
        personIndex: 1,
        shieldFrom: ['GH', 'NG'],
        entryIds: ['reg-1', 'reg-3'],
        // Given and family names swapped: not the family name, but the whole name, matches.
        keys: ['name-no-dob', 'name-dob', 'skeleton-dob'],
      },
      { personIndex: 2, shieldFrom: ['BY', 'RU'], entryIds: ['reg-2'], keys: ['name-yob-part'] },
      { personIndex: 3, shieldFrom: ['NG'], entryIds: ['reg-1'], keys: ['document'] },
    ]);
  });

  it('finds nobody with another secret', () => {
    const persons = [{ names: { givenNames: ['Blessing'], familyNames: ['Eze'] } }];
    expect(checkPersons(index, randomBytes(32), persons)).toEqual([]);
    expect(checkPersons(index, secret, persons)).toHaveLength(1);
  });

  it('looks up the same hashes personHashes gives', () => {
    const person = { names: { givenNames: ['Blessing'], familyNames: ['Eze'] } };
    const ids = index.lookup(personHashes(secret, person)).map((hit) => hit.entryId);
    expect(ids.sort()).toEqual(['reg-1', 'reg-3']);
  });
});

describe('a registered person matches however their names are typed (property)', () => {
  const ACCENTED: Record<string, string[]> = {
    a: ['á', 'à', 'â', 'ä', 'ã', 'å', 'ā'],
    c: ['ç', 'č', 'ć'],
    e: ['é', 'è', 'ê', 'ë', 'ē', 'ę'],
    i: ['í', 'ì', 'î', 'ï'],
    n: ['ñ', 'ń'],
    o: ['ó', 'ò', 'ô', 'ö', 'õ', 'ø'],
    s: ['š', 'ś', 'ş'],
    u: ['ú', 'ù', 'û', 'ü', 'ū'],
    z: ['ž', 'ź', 'ż'],
  };
  const word = fc.string({
    unit: fc.constantFrom(...'abcdefghiklmnoprstuvz'),
    minLength: 2,
    maxLength: 9,
  });
  const date = fc.record({
    year: fc.integer({ min: 1940, max: 2015 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
  });
  const two = (n: number) => String(n).padStart(2, '0');
  const FORMATS = [
    (d: { year: number; month: number; day: number }) => `${d.year}-${two(d.month)}-${two(d.day)}`,
    (d: { year: number; month: number; day: number }) => `${two(d.day)}/${two(d.month)}/${d.year}`,
    (d: { year: number; month: number; day: number }) => `${d.day}.${d.month}.${d.year}`,
    (d: { year: number; month: number; day: number }) => `${d.year}${two(d.month)}${two(d.day)}`,
  ];

  /** A way of typing the same letters: case and diacritics chosen per letter. */
  const spelling = fc.array(fc.tuple(fc.boolean(), fc.nat(6)), { minLength: 9, maxLength: 9 });
  function retype(token: string, choices: [boolean, number][]): string {
    return [...token]
      .map((letter, i) => {
        const [upper, accent] = choices[i % choices.length];
        const variants = ACCENTED[letter];
        const accented = variants && accent > 0 ? variants[accent % variants.length] : letter;
        return upper ? accented.toUpperCase() : accented;
      })
      .join('');
  }

  it('in any order, case, diacritics, field and punctuation, with the date in any format', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 2 }),
        fc.array(word, { minLength: 1, maxLength: 2 }),
        date,
        fc.record({
          order: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
          split: fc.nat(4),
          separator: fc.constantFrom(' ', '-', ', ', '  '),
          spellings: fc.array(spelling, { minLength: 4, maxLength: 4 }),
          format: fc.nat(FORMATS.length - 1),
        }),
        (given, family, dob, typing) => {
          const index = new ProtectedPersonsIndex();
          index.add(
            'entry',
            registrationHashes(secret, {
              names: [{ givenNames: given, familyNames: family }],
              datesOfBirth: [FORMATS[0](dob)],
            }),
            ['NG'],
          );
          // The officer's version: every token retyped, shuffled, spread over the two fields.
          const tokens = [...given, ...family]
            .map((token, i) => ({
              token: retype(token, typing.spellings[i]),
              rank: typing.order[i],
            }))
            .sort((a, b) => a.rank - b.rank)
            .map(({ token }) => token);
          const split = Math.min(typing.split, tokens.length);
          const message: PersonIdentifiers = {
            names: {
              givenNames: split > 0 ? [tokens.slice(0, split).join(typing.separator)] : [],
              familyNames: [tokens.slice(split).join(typing.separator) || tokens[0]],
            },
            dateOfBirth: FORMATS[typing.format](dob),
          };
          const hits = checkPersons(index, secret, [message]);
          expect(hits).toHaveLength(1);
          expect(hits[0].keys).toContain('name-dob');
        },
      ),
      { numRuns: 300 },
    );
  });
});
