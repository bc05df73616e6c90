import type { PersonSchema } from '#libs/procedures';
import {
  personKeys,
  registrationKeys,
  registrationOf,
  type IdentifierKey,
  type KeyKind,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from './identifier-keys.js';

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
  it('derives name, family, skeleton and document keys from a person with a full date', () => {
    const keys = personKeys({
      names: { givenNames: ['Blessing'], familyNames: ['Eze'], aliases: ['Blessy'] },
      dateOfBirth: '02/06/1998',
      documents: [
        { kind: 'passport', number: 'A 123-456', issuingState: 'ng' },
        { kind: 'national-id', issuingState: 'NG' },
      ],
    });
    expect(canonicals(keys)).toEqual([
      'v1|name-no-dob|blesing eze',
      'v1|name-dob|blesing eze|1998-06-02',
      'v1|family-dob|eze|1998-06-02',
      'v1|skeleton-dob|blsng z|1998-06-02',
      'v1|name-yob-part|blesing eze|1998',
      'v1|name-dob|blesi|1998-06-02',
      'v1|name-yob-part|blesi|1998',
      'v1|document|NG|A123456',
    ]);
  });

  it('derives name-yob from a partial date and name alone without a date', () => {
    expect(kinds(personKeys({ names: blessing, dateOfBirth: '1998' }))).toEqual([
      'name-no-dob',
      'name-yob',
    ]);
    expect(kinds(personKeys({ names: blessing }))).toEqual(['name']);
    expect(kinds(personKeys({ names: blessing, dateOfBirth: 'around 1998' }))).toEqual(['name']);
  });

  it('never keys a single name without a date of birth', () => {
    expect(personKeys({ names: { familyNames: ['Eze'] } })).toEqual([]);
    expect(
      kinds(personKeys({ names: { familyNames: ['Eze'] }, dateOfBirth: '1998-06-02' })),
    ).toEqual(['name-dob', 'family-dob', 'name-yob-part']);
  });

  it('skips the weak date keys on 1 January, a common stand-in for an unknown date', () => {
    expect(kinds(personKeys({ names: blessing, dateOfBirth: '01.01.1998' }))).toEqual([
      'name-no-dob',
      'name-dob',
      'name-yob-part',
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

  it('derives the same keys however the person was typed', () => {
    const typed = personKeys({
      names: { givenNames: ['ÉZÉ'], familyNames: ['blessing'] },
      dateOfBirth: '1998-06-02',
      documents: [{ number: 'a123456', issuingState: 'NG', kind: 'travel-document' }],
    });
    const other = personKeys({
      names: { familyNames: ['Blessing Eze'] },
      dateOfBirth: '2.6.1998',
      documents: [{ number: 'A-123 456', issuingState: 'ng' }],
    });
    const withoutFamily = (keys: IdentifierKey[]) =>
      canonicals(keys).filter((key) => !key.includes('family-dob'));
    expect(withoutFamily(typed)).toEqual(withoutFamily(other));
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
    ['message full, registration year and month', '1998-06-02', ['1998-06'], true],
    ['message year only, registration full', '1998', ['1998-06-02'], true],
    ['message year only, registration year only', '1998', ['1998'], true],
    ['message year only, another year', '1998', ['1999-06-02'], false],
    ['message undated', undefined, ['1998-06-02'], true],
    ['registration undated', '1998-06-02', [], true],
    ['both undated', undefined, [], true],
    ['one of several registered dates', '1997-03-04', ['1998-06-02', '1997-03-04'], true],
  ])('%s: match %s', (_case, messageDate, registeredDates, matches) => {
    expect(shared(message(messageDate), registered(registeredDates)).length > 0).toBe(matches);
  });

  it('matches on the family name and date when given names differ', () => {
    const keys = shared(
      { names: { givenNames: ['Blessed'], familyNames: ['Eze'] }, dateOfBirth: '1998-06-02' },
      registered(['1998-06-02']),
    );
    expect(keys).toEqual(['family-dob']);
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

  it('matches Arabic script against a Latin spelling through the consonant skeleton', () => {
    const keys = shared(
      { names: { givenNames: ['Mohamed'], familyNames: ['Ahmed'] }, dateOfBirth: '1990-03-15' },
      { names: [{ givenNames: ['محمد'], familyNames: ['أحمد'] }], datesOfBirth: ['15/03/1990'] },
    );
    expect(keys).toEqual(['skeleton-dob']);
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
