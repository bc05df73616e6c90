import fc from 'fast-check';
import type { PersonSchema } from '#libs/procedures';
import {
  KEY_KINDS,
  KEY_VERSION,
  personKeys,
  registrationKeys,
  registrationOf,
  type IdentifierKey,
  type KeyKind,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from './identifier-keys.js';
import { initialOf } from './name-readings.js';
import {
  canonicalName,
  consonantSkeleton,
  nameTokens,
  normaliseDateOfBirth,
  type NormalisedDate,
} from './normalise.js';

// A message's PersonSchema is checked as it is.
const person: PersonIdentifiers = {} as PersonSchema;
void person;

const canonicals = (keys: IdentifierKey[]) => keys.map((key) => key.canonical);
const kinds = (keys: IdentifierKey[]) => keys.map((key) => key.kind);

function shared(message: PersonIdentifiers, registration: RegistrationIdentifiers): KeyKind[] {
  const registered = new Set(canonicals(registrationKeys(registration)));
  return personKeys(message)
    .filter((key) => registered.has(key.canonical))
    .map((key) => key.kind);
}

const blessing = { givenNames: ['Blessing'], familyNames: ['Eze'] };

describe('personKeys', () => {
  it('derives from a person with a full date the name, skeleton, more-names and document keys', () => {
    const keys = personKeys({
      names: { givenNames: ['Blessing'], familyNames: ['Eze'], aliases: ['Blessy'] },
      dateOfBirth: '02/06/1998',
      documents: [
        { kind: 'passport', number: 'A 123-456', issuingState: 'ng' },
        { kind: 'national-id', issuingState: 'NG' },
      ],
    });
    expect(KEY_VERSION).toBe('v2');
    expect(canonicals(keys)).toEqual([
      'v2|name-no-dob|blesing eze',
      'v2|name-dob|blesing eze|1998-06-02',
      'v2|name-ym-part|blesing eze|1998-06',
      'v2|name-yob-part|blesing eze|1998',
      'v2|skeleton-dob|blsng z|1998-06-02',
      'v2|more-names-dob|eze|1998-06-02',
      'v2|name-dob|blesi|1998-06-02',
      'v2|name-ym-part|blesi|1998-06',
      'v2|name-yob-part|blesi|1998',
      'v2|document|NG|A123456',
    ]);
  });

  it('derives the key of the date as precise as it is known, and the name alone without one', () => {
    expect(kinds(personKeys({ names: blessing, dateOfBirth: '1998' }))).toEqual([
      'name-no-dob',
      'name-yob',
    ]);
    expect(kinds(personKeys({ names: blessing, dateOfBirth: '1998-06' }))).toEqual([
      'name-no-dob',
      'name-ym',
      'name-yob-part',
    ]);
    expect(kinds(personKeys({ names: blessing }))).toEqual(['name']);
    expect(kinds(personKeys({ names: blessing, dateOfBirth: 'around 1998' }))).toEqual(['name']);
  });

  it('gives the family name and date only for a message that gives no given name', () => {
    const familyOnly = kinds(
      personKeys({ names: { familyNames: ['Eze'] }, dateOfBirth: '1998-06-02' }),
    );
    expect(familyOnly).toContain('family-dob');
    const named = kinds(personKeys({ names: blessing, dateOfBirth: '1998-06-02' }));
    expect(named).not.toContain('family-dob');
    expect(named).not.toContain('initials-dob');
  });

  it('gives the family name and initials for a message that gives initials only', () => {
    expect(
      canonicals(
        personKeys({
          names: { givenNames: ['M.', 'a'], familyNames: ['Abdel-Rahman'] },
          dateOfBirth: '1990-03-15',
        }),
      ).filter((key) => key.includes('initials')),
    ).toEqual([
      'v2|initials-dob|abdel rahman|am|1990-03-15',
      'v2|initials-ym-part|abdel rahman|am|1990-03',
      'v2|initials-yob-part|abdel rahman|am|1990',
      'v2|initials-dob|abdelrahman|am|1990-03-15',
      'v2|initials-ym-part|abdelrahman|am|1990-03',
      'v2|initials-yob-part|abdelrahman|am|1990',
    ]);
    // Without a full date of birth, initials say too little.
    expect(
      kinds(
        personKeys({ names: { givenNames: ['M.'], familyNames: ['Eze'] }, dateOfBirth: '1990' }),
      ),
    ).toEqual(['name-yob']);
  });

  it('never keys a single name without a date of birth', () => {
    expect(personKeys({ names: { familyNames: ['Eze'] } })).toEqual([]);
  });

  it('reads 1 January as possibly a year alone, and derives no weak full-date key from it', () => {
    expect(kinds(personKeys({ names: blessing, dateOfBirth: '01.01.1998' }))).toEqual([
      'name-no-dob',
      'name-dob',
      'name-ym-part',
      'name-yob-part',
      'name-yob',
    ]);
  });

  it('skips documents without a number, a short number or a valid issuing State', () => {
    const documents = [
      { number: 'A1', issuingState: 'NG' },
      { number: 'A123456', issuingState: 'Nigeria' },
      { number: ' - ', issuingState: 'NG' },
    ];
    expect(personKeys({ names: {}, documents })).toEqual([]);
  });

  it('derives the same name keys however the person was typed', () => {
    const typed = personKeys({
      names: { givenNames: ['ÉZÉ'], familyNames: ['blessing'] },
      dateOfBirth: '1998-06-02',
      documents: [{ number: 'a123456', issuingState: 'NG', kind: 'travel-document' }],
    });
    const other = personKeys({
      names: { aliases: ['Blessing Eze'] },
      dateOfBirth: '2.6.1998',
      documents: [{ number: 'A-123 456', issuingState: 'ng' }],
    });
    const nameKeys = (keys: IdentifierKey[]) =>
      canonicals(keys).filter((key) => /\|name(-|\|)/.test(key));
    // The alias, unstructured, also reads its names joined (blesingeze).
    expect(nameKeys(other)).toEqual(expect.arrayContaining(nameKeys(typed)));
    expect(nameKeys(typed)).toHaveLength(4);
  });
});

describe('registrationKeys', () => {
  it('derives for every key kind a message may hold', () => {
    const keys = registrationKeys({
      names: [{ givenNames: ['Mohamed', 'Ali'], familyNames: ['Abdel-Rahman'] }],
      datesOfBirth: ['15/03/1990', '1991', '1992-07'],
      documents: [{ number: 'N1234567', issuingState: 'SY' }],
    });
    const derived = new Set(kinds(keys));
    for (const kind of KEY_KINDS) expect(derived).toContain(kind === 'name-no-dob' ? 'name' : kind);
    expect(
      kinds(registrationKeys({ names: [blessing] })).every((kind) =>
        ['name', 'name-no-dob'].includes(kind),
      ),
    ).toBe(true);
  });
});

describe('matching a message against a registration', () => {
  const registered = (datesOfBirth: string[]): RegistrationIdentifiers => ({
    names: [blessing],
    datesOfBirth,
  });
  const message = (dateOfBirth?: string): PersonIdentifiers => ({ names: blessing, dateOfBirth });

  it.each<[string, string | undefined, string[], boolean]>([
    ['same full date', '1998-06-02', ['1998-06-02'], true],
    ['another full date, same year', '1998-07-14', ['1998-06-02'], false],
    ['another year', '1999-06-02', ['1998-06-02'], false],
    ['message full, registration year only', '1998-06-02', ['1998'], true],
    ['message full, registration that month', '1998-06-02', ['1998-06'], true],
    ['message full, registration another month', '1998-07-14', ['1998-06'], false],
    ['message month, registration full in it', '1998-06', ['1998-06-02'], true],
    ['message month, registration full in another', '1998-07', ['1998-06-02'], false],
    ['message month, registration same month', '1998-06', ['06/1998'], true],
    ['message month, registration year only', '1998-06', ['1998'], true],
    ['message year only, registration full', '1998', ['1998-06-02'], true],
    ['message year only, registration year only', '1998', ['1998'], true],
    ['message year only, another year', '1998', ['1999-06-02'], false],
    ['message undated', undefined, ['1998-06-02'], true],
    ['registration undated', '1998-06-02', [], true],
    ['both undated', undefined, [], true],
    ['one of several registered dates', '1997-03-04', ['1998-06-02', '1997-03-04'], true],
    ['message 1 January, registration another date that year', '1998-01-01', ['1998-06-02'], true],
    ['message full, registration 1 January that year', '1998-06-02', ['01.01.1998'], true],
  ])('%s: match %s', (_case, messageDate, registeredDates, matches) => {
    expect(shared(message(messageDate), registered(registeredDates)).length > 0).toBe(matches);
  });

  it('no longer matches on the family name and date when the message gives other given names', () => {
    expect(
      shared(
        { names: { givenNames: ['Blessed'], familyNames: ['Eze'] }, dateOfBirth: '1998-06-02' },
        registered(['1998-06-02']),
      ),
    ).toEqual([]);
    expect(
      shared(
        { names: { familyNames: ['EZE'] }, dateOfBirth: '1998-06-02' },
        registered(['1998-06-02']),
      ),
    ).toEqual(['family-dob']);
  });

  it('matches a message that omits a given name, or gives one more, on the same full date', () => {
    const registration = {
      names: [{ givenNames: ['Blessing', 'Joy'], familyNames: ['Eze'] }],
      datesOfBirth: ['1998-06-02'],
    };
    expect(shared(message('1998-06-02'), registration)).toContain('name-dob');
    // On a year only, one shared given name says too little.
    expect(shared(message('1998'), registration)).toEqual([]);
    expect(
      shared(
        {
          names: { givenNames: ['Blessing', 'Joy'], familyNames: ['Eze'] },
          dateOfBirth: '1998-06-02',
        },
        registered(['1998-06-02']),
      ),
    ).toContain('more-names-dob');
  });

  it('matches initials with the family name and a full date, and no other initial', () => {
    const registration = {
      names: [{ givenNames: ['Mohamed', 'Ali'], familyNames: ['Abdel-Rahman'] }],
      datesOfBirth: ['15/03/1990'],
    };
    const initials = (givenNames: string[], dateOfBirth = '1990-03-15') =>
      shared({ names: { givenNames, familyNames: ['ABDELRAHMAN'] }, dateOfBirth }, registration);
    expect(initials(['M.'])).toEqual(['initials-dob']);
    expect(initials(['A', 'M'])).toEqual(['initials-dob']);
    expect(initials(['K.'])).toEqual([]);
    expect(initials(['M.'], '1990-03-16')).toEqual([]);
  });

  it('matches an alias against the names and the names against an alias', () => {
    const registration: RegistrationIdentifiers = {
      names: [{ givenNames: ['Blessing'], familyNames: ['Eze'], aliases: ['Mary Okafor'] }],
      datesOfBirth: ['1998-06-02'],
    };
    expect(
      shared({ names: { familyNames: ['Okafor'], givenNames: ['Mary'] } }, registration),
    ).toEqual(['name']);
    expect(
      shared({ names: { aliases: ['Blessing Eze'] }, dateOfBirth: '1998-06-02' }, registration),
    ).toContain('name-dob');
  });

  it('matches Arabic script against its Latin spellings, on any date precision', () => {
    const arabic = {
      names: [{ givenNames: ['محمد'], familyNames: ['خالد'] }],
      datesOfBirth: ['1990'],
    };
    expect(
      shared(
        { names: { givenNames: ['Muhammad'], familyNames: ['Khaled'] }, dateOfBirth: '1990' },
        arabic,
      ),
    ).toEqual(['name-yob']);
  });

  it('matches other vowel spellings through the consonant skeleton, on a full date only', () => {
    const registration = (dateOfBirth: string) => ({
      names: [{ givenNames: ['Tesfaye'], familyNames: ['Gebremedhin'] }],
      datesOfBirth: [dateOfBirth],
    });
    const tesfay = (dateOfBirth: string) => ({
      names: { givenNames: ['Tesfay'], familyNames: ['Gebremedihn'] },
      dateOfBirth,
    });
    expect(shared(tesfay('1990-03-15'), registration('1990-03-15'))).toEqual(['skeleton-dob']);
    expect(shared(tesfay('1990'), registration('1990'))).toEqual([]);
  });

  it('matches on a document alone, whatever the names', () => {
    expect(
      shared(
        {
          names: { familyNames: ['Unknown'] },
          documents: [{ number: 'a123456', issuingState: 'NG' }],
        },
        {
          names: [blessing],
          documents: [{ number: 'A 123-456', issuingState: 'NG', kind: 'passport' }],
        },
      ),
    ).toEqual(['document']);
    expect(
      shared(
        { names: {}, documents: [{ number: 'A123456', issuingState: 'GH' }] },
        { names: [blessing], documents: [{ number: 'A123456', issuingState: 'NG' }] },
      ),
    ).toEqual([]);
  });

  it('builds a registration from a person record', () => {
    expect(
      registrationOf({
        names: blessing,
        dateOfBirth: '1998',
        documents: [{ number: 'A123456', issuingState: 'NG' }],
      }),
    ).toEqual({
      names: [blessing],
      datesOfBirth: ['1998'],
      documents: [{ number: 'A123456', issuingState: 'NG' }],
    });
  });
});

/*
 * The key design against its meaning: a message and a registration share a key exactly when what
 * the message states is compatible with the registration, as this oracle reads it (written from
 * the rules in identifier-keys.ts, not from its code). Small pools make namesakes, shared dates
 * and documents frequent, so that both answers are exercised.
 */
describe('the keys mean what the rules say (fast-check)', () => {
  const GIVEN = ['Blessing', 'Grace', 'Ngozi', 'Amaka', 'Mohamed', 'Muhammad'];
  const FAMILY = ['Okafor', 'Eze', 'Bello'];
  const date = fc.oneof(
    fc.constant(undefined),
    fc
      .tuple(fc.constantFrom(1990, 1991), fc.constantFrom(3, 7), fc.constantFrom(2, 15))
      .chain(([year, month, day]) =>
        fc.constantFrom(
          `${year}`,
          `${year}-0${month}`,
          `${year}-0${month}-${String(day).padStart(2, '0')}`,
        ),
      ),
  );
  const documents = fc.subarray([{ number: 'A1234567', issuingState: 'NG' }], { maxLength: 1 });
  const givenNames = fc.subarray(GIVEN, { maxLength: 3 });
  const familyNames = fc.subarray(FAMILY, { minLength: 1, maxLength: 2 });

  const message = fc.record({
    names: fc.oneof(
      fc.record({ givenNames, familyNames }),
      fc.record({
        givenNames: givenNames.map((names) => names.map((name) => `${name[0]}.`)),
        familyNames,
      }),
    ),
    dateOfBirth: date,
    documents,
  });
  const registration = fc.record({
    names: fc.tuple(fc.record({ givenNames, familyNames })),
    datesOfBirth: date.map((dateOfBirth) => (dateOfBirth ? [dateOfBirth] : [])),
    documents,
  });

  const folded = (names: readonly string[]) => new Set(names.flatMap(nameTokens));
  const same = (a: Set<string>, b: Set<string>) =>
    a.size === b.size && [...a].every((x) => b.has(x));
  const within = (a: Set<string>, b: Set<string>) => [...a].every((x) => b.has(x));
  const union = (a: Set<string>, b: Set<string>) => new Set([...a, ...b]);
  const agree = (m: NormalisedDate, r: NormalisedDate) => {
    const length = Math.min(m.iso.length, r.iso.length);
    return m.iso.slice(0, length) === r.iso.slice(0, length);
  };
  const skeletonOf = (names: Set<string>) => {
    const skeleton = consonantSkeleton(canonicalName([...names]));
    return skeleton.split(' ').length >= 2 && skeleton.replace(/ /g, '').length >= 4
      ? skeleton
      : undefined;
  };

  function compatible(m: PersonIdentifiers, r: RegistrationIdentifiers): boolean {
    if (m.documents?.length && r.documents?.length) return true; // one number in the pool
    const given = m.names.givenNames ?? [];
    const initials = given
      .filter((name) => name.endsWith('.'))
      .map((name) => initialOf(name.toLowerCase()));
    const mGiven = folded(given.filter((name) => !name.endsWith('.')));
    const mFamily = folded(m.names.familyNames ?? []);
    const rGiven = folded(r.names[0].givenNames ?? []);
    const rFamily = folded(r.names[0].familyNames ?? []);
    const md = m.dateOfBirth === undefined ? undefined : normaliseDateOfBirth(m.dateOfBirth);
    const rd = (r.datesOfBirth ?? []).map((d) => normaliseDateOfBirth(d)!);
    const mFull = union(mGiven, mFamily);
    const rFull = union(rGiven, rFamily);
    // The same names: dates agree as far as both go, or one side has none (two names at least).
    if (same(mFull, rFull)) {
      if (md === undefined || rd.length === 0) {
        if (mFull.size >= 2) return true;
        if (md !== undefined || rd.length > 0) return false;
      }
      if (md && rd.some((d) => agree(md, d))) return true;
    }
    if (!same(mFamily, rFamily) || md?.precision !== 'day') return false;
    if (mGiven.size === 0 && initials.length > 0) {
      // Initials with a full date: the registered date is that one, or a part of it.
      const registered = new Set(
        (r.names[0].givenNames ?? []).map((name) => initialOf(name.toLowerCase())),
      );
      const dated = rd.some((d) => (d.precision === 'day' ? d.iso === md.iso : agree(md, d)));
      return dated && initials.every((initial) => registered.has(initial));
    }
    if (!rd.some((d) => d.iso === md.iso)) return false;
    if (mGiven.size > 0) {
      // Fewer given names than registered, or more, or the same consonants.
      if (within(mGiven, rGiven) || within(rGiven, mGiven)) return true;
      const skeleton = skeletonOf(mFull);
      const subsets = [...rGiven].map((name) => union(new Set([name]), rFamily));
      return skeleton !== undefined && [rFull, ...subsets].some((s) => skeletonOf(s) === skeleton);
    }
    return true; // the family name alone, on the same full date
  }

  it('shares a key with a registration exactly when the message is compatible with it', () => {
    fc.assert(
      fc.property(message, registration, (m, r) => {
        expect({ shared: shared(m, r).length > 0 }).toEqual({ shared: compatible(m, r) });
      }),
      { numRuns: 3000 },
    );
  });
});
