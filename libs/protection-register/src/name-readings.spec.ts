import { initialOf, nameReadings } from './name-readings.js';

const summary = (names: Parameters<typeof nameReadings>[0]) =>
  nameReadings(names).map(({ given, initials, family, structured }) => ({
    given: [...given],
    initials: [...initials],
    family: [...family],
    structured,
  }));

describe('nameReadings', () => {
  it('reads a compound family name as typed and joined', () => {
    expect(summary({ givenNames: ['Mohamed'], familyNames: ['Abdel-Rahman'] })).toEqual([
      { given: ['mohamed'], initials: [], family: ['abdel', 'rahman'], structured: true },
      { given: ['mohamed'], initials: [], family: ['abdelrahman'], structured: true },
    ]);
  });

  it('joins each pair of neighbours in a name of three words, never across fields', () => {
    const families = nameReadings({ givenNames: ['Ali Omar'], familyNames: ['Abd al Rahman'] })
      .filter((reading) => reading.given.join(' ') === 'ali omar')
      .map((reading) => reading.family.join(' '));
    // Abdal is a spelling of Abdel (NAME_VARIANTS).
    expect(families).toEqual(['abd al rahman', 'abdelrahman', 'abdel rahman', 'abd alrahman']);
  });

  it('reads "FAMILY, Given" typed in the family field, or in the given field alone', () => {
    const expected = {
      given: ['blesing', 'ioi'],
      initials: [],
      family: ['okafor'],
      structured: true,
    };
    expect(summary({ familyNames: ['OKAFOR, Blessing Joy'] })[0]).toEqual(expected);
    expect(summary({ givenNames: ['OKAFOR, Blessing Joy'] })[0]).toEqual(expected);
    expect(summary({ aliases: ['OKAFOR, Blessing Joy'] })[0]).toEqual(expected);
  });

  it('reads a comma in given names as a list when a family name is given', () => {
    expect(summary({ givenNames: ['Blessing, Joy'], familyNames: ['Okafor'] })[0]).toEqual({
      given: ['blesing', 'ioi'],
      initials: [],
      family: ['okafor'],
      structured: true,
    });
  });

  it('tells initials from given names', () => {
    expect(summary({ givenNames: ['M.', 'Yusuf'], familyNames: ['Abdelrahman'] })).toEqual([
      { given: ['iusuf'], initials: ['m'], family: ['abdelrahman'], structured: true },
    ]);
    expect(
      nameReadings({ givenNames: ['Yusuf Ali'], familyNames: ['X'] })[0].givenInitials,
    ).toEqual(['i', 'a']);
  });

  it('reads an alias without a comma as unstructured, each alias on its own', () => {
    const readings = summary({
      givenNames: ['Blessing'],
      familyNames: ['Eze'],
      aliases: ['Joy Okafor'],
    });
    expect(readings).toEqual([
      { given: ['blesing'], initials: [], family: ['eze'], structured: true },
      { given: ['ioi', 'okafor'], initials: [], family: [], structured: false },
      { given: ['ioiokafor'], initials: [], family: [], structured: false },
    ]);
  });

  it('reads nothing from empty names', () => {
    expect(nameReadings({})).toEqual([]);
    expect(nameReadings({ givenNames: [' - '], familyNames: [''], aliases: [','] })).toEqual([]);
  });
});

describe('initialOf', () => {
  it('merges the letters that romanisations swap', () => {
    expect(['yuri', 'iuri', 'juri'].map(initialOf)).toEqual(['i', 'i', 'i']);
    expect(['kasim', 'qasim', 'casim'].map(initialOf)).toEqual(['k', 'k', 'k']);
    expect(['wladimir', 'vladimir'].map(initialOf)).toEqual(['v', 'v']);
    expect(initialOf('blessing')).toBe('b');
  });
});
