import fc from 'fast-check';
import {
  canonicalName,
  consonantSkeleton,
  foldConfusables,
  foldInvisibleAndConfusable,
  foldNameToken,
  NAME_VARIANTS,
  nameTokens,
  nameWords,
  normaliseDateOfBirth,
  normaliseDocumentNumber,
  normaliseStateCode,
  stripInvisible,
  toLatinLowercase,
} from './normalise.js';

const name = (...parts: string[]) => canonicalName(parts);

describe('toLatinLowercase', () => {
  it.each([
    ['Ézé', 'eze'],
    ['Søren Łukasz Ærø', 'soren lukasz aero'],
    ['Straße', 'strasse'],
    ['Ｍａｒｉａ', 'maria'],
    ['Елена Петрова', 'elena petrova'],
    ['Νίκος Παπαδόπουλος', 'nikos papadopoulos'],
    ['Đặng Thị Hương', 'dang thi huong'],
  ])('%s → %s', (input, expected) => {
    expect(toLatinLowercase(input)).toBe(expected);
  });

  it('reads composed and decomposed diacritics alike', () => {
    expect(toLatinLowercase('E\u0301ze\u0301')).toBe(toLatinLowercase('\u00c9z\u00e9'));
  });
});

describe('canonicalName', () => {
  it('ignores order, case, diacritics and punctuation: Blessing Eze', () => {
    const expected = 'blesing eze';
    expect(name('Blessing', 'Eze')).toBe(expected);
    expect(name('EZE blessing')).toBe(expected);
    expect(name('Ézé, Blessing')).toBe(expected);
    expect(name('eze', 'BLESSING')).toBe(expected);
    expect(name('  Blessing\t EZE.  ')).toBe(expected);
  });

  it('reads Cyrillic as its Latin transliteration, whichever romanisation was used', () => {
    expect(name('Елена', 'Петрова')).toBe(name('Elena Petrova'));
    expect(name('ПЕТРОВА Елена')).toBe(name('Elena Petrova'));
    for (const latin of ['Yuliya', 'Iuliia', 'Julia', 'Juliya', 'Yulia']) {
      expect(name(latin)).toBe(name('Юлия'));
    }
    expect(name('Андрей')).toBe(name('Andrey'));
    expect(name('Andrei')).toBe(name('Andrey'));
    expect(name('Алексей Хабибуллин')).toBe(name('Aleksei Khabibulin'));
    expect(name('Alexei Habibullin')).toBe(name('Aleksei Khabibulin'));
    expect(name('Дмитрий')).toBe(name('Dmitriy'));
    expect(name('Dmitrii')).toBe(name('Dmitri'));
    expect(name('Сергей Ёлкин')).toBe(name('Sergei Elkin'));
  });

  it('reads Greek with the passport romanisation of ΟΥ', () => {
    expect(name('Νίκος', 'ΠΑΠΑΔΟΠΟΥΛΟΣ')).toBe(name('Nikos Papadopoulos'));
  });

  it('transliterates Arabic to one form, with or without harakat, hamza or tatweel', () => {
    expect(name('محمد عبد الله')).toBe('bd lh mohamed');
    expect(name('مُحَمَّد عَبْد الله')).toBe(name('محمد عبد الله'));
    expect(name('محـــمد')).toBe(name('محمد'));
    expect(name('ﻣﺤﻤﺪ')).toBe(name('محمد')); // presentation forms
    expect(name('أحمد')).toBe(name('احمد'));
    expect(name('إبراهيم')).toBe(name('ابراهيم'));
    expect(name('فاطمة')).toBe('fatima');
    expect(name('مريم')).toBe('mariam');
  });

  it('gives Arabic script and its Latin spellings the same consonant skeleton', () => {
    const skeleton = (...parts: string[]) => consonantSkeleton(name(...parts));
    for (const latin of ['Mohamed Ahmed', 'Muhammad Ahmad', 'Mohammed Ahmed', 'AHMED Mohamed']) {
      expect(skeleton(latin)).toBe(skeleton('محمد أحمد'));
    }
    expect(skeleton('Fatima')).toBe(skeleton('فاطمة'));
    expect(skeleton('Khalid')).toBe(skeleton('خالد'));
  });

  it('joins at apostrophes and splits at hyphens', () => {
    expect(name("Jean-Pierre O'Brien")).toBe(name('Jean Pierre OBrien'));
    expect(name('Jean-Pierre O’Brien')).toBe(name('pierre jean o’brien'));
    expect(name('Al-Hassan')).toBe(name('AL HASSAN'));
  });

  it('romanises Han characters as pinyin, a given name as one token', () => {
    expect(name('王', '小明')).toBe(name('Wang Xiaoming'));
  });

  it('keeps each token once and is empty without a name', () => {
    expect(name('Maria Maria', 'MARIA')).toBe('maria');
    expect(name()).toBe('');
    expect(name(' - , ')).toBe('');
  });

  it('still tells different names apart', () => {
    expect(name('Elena Petrova')).not.toBe(name('Elena Petrov'));
    expect(name('Blessing Eze')).not.toBe(name('Blessing Ezeh Okafor'));
  });
});

describe('name tokens and folding', () => {
  it.each([
    ['alexander', 'aleksander'],
    ['joseph', 'iosef'],
    ['wladimir', 'vladimir'],
    ['qasim', 'kasim'],
    ['frederick', 'frederik'],
    ['dzhamal', 'iamal'],
    ['djamal', 'iamal'],
    ['khalid', 'halid'],
    ['nicolai', 'nikolai'],
    ['chantal', 'chantal'],
    ['iouri', 'iuri'],
    ['yuliya', 'iulia'],
    ['mohammed', 'mohamed'],
    ['fatimah', 'fatima'],
  ])('%s folds to %s', (token, folded) => {
    expect(foldNameToken(token)).toBe(folded);
  });

  it('splits a name into folded tokens', () => {
    expect(nameTokens('Ézé, Blessing-Mary')).toEqual(['eze', 'blesing', 'mari']);
    expect(nameWords('Ézé, Blessing-Mary')).toEqual(['eze', 'blessing', 'mary']);
  });

  it('folds every spelling of a common Arabic name to one, in Latin and in Arabic script', () => {
    for (const group of NAME_VARIANTS) {
      const folded = new Set(group.map((spelling) => canonicalName([spelling])));
      expect([...folded]).toHaveLength(1);
    }
    expect(name('Muhammad', 'KHALED')).toBe(name('محمد', 'خالد'));
    expect(name('Mohamed')).toBe(name('Mohammed'));
  });

  it('keeps apart names that are not spellings of one another', () => {
    expect(name('Hassan')).not.toBe(name('Hussein'));
    expect(name('Said')).not.toBe(name('Sayed'));
    expect(name('Maria')).not.toBe(name('Mariam'));
    expect(name('Thi Lan')).not.toBe(name('Thu Loan'));
  });
});

/** Format and default-ignorable characters, and blanks: what an officer can paste unseen. */
const INVISIBLE_CHARACTERS = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // byte order mark
  '\u00ad', // soft hyphen
  '\u034f', // combining grapheme joiner
  '\u180e', // mongolian vowel separator
  '\u200e', // left-to-right mark
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\ufe0f', // variation selector 16
  '\u{e0001}', // language tag
];
const tagCharacter = fc
  .integer({ min: 0xe0020, max: 0xe007f })
  .map((code) => String.fromCodePoint(code));
const invisible = fc.oneof(fc.constantFrom(...INVISIBLE_CHARACTERS), tagCharacter);
const latinName = fc.stringMatching(/^[A-Z][a-z]{2,9}$/).filter((text) => text.length >= 3);

describe('stripInvisible', () => {
  it('drops invisible characters wherever they are typed in a name', () => {
    fc.assert(
      fc.property(
        latinName,
        fc.array(fc.tuple(fc.nat(), invisible), { maxLength: 4 }),
        (text, inserts) => {
          const characters = [...text];
          for (const [at, character] of inserts) {
            characters.splice(at % (characters.length + 1), 0, character);
          }
          const disguised = characters.join('');
          expect(stripInvisible(disguised)).toBe(text);
          expect(canonicalName([disguised])).toBe(canonicalName([text]));
        },
      ),
    );
  });

  it('reads blanks as spaces: the braille pattern blank, no-break and ideographic spaces', () => {
    expect(stripInvisible('Abdel\u2800Rahman')).toBe('Abdel Rahman');
    expect(stripInvisible('Abdel\u00a0Rahman\u3000Ali\u3164')).toBe('Abdel Rahman Ali ');
  });
});

describe('foldConfusables', () => {
  it('reads Cyrillic and Greek look-alikes inside a Latin word as Latin', () => {
    expect(foldConfusables('Okаfоr')).toBe('Okafor'); // Cyrillic а, о
    expect(foldConfusables('Ноang')).toBe('Hoang'); // Cyrillic Н
    expect(foldConfusables('Іvanova')).toBe('Ivanova'); // Cyrillic І: an I, not an l
    expect(foldConfusables('Ραul')).toBe('Paul'); // Greek Ρ, α
    expect(foldConfusables('\u0415\u0396\u0415')).toBe('EZE'); // Cyrillic Е, Greek Ζ, Cyrillic Е
  });

  it('leaves a word wholly in one script to transliteration', () => {
    expect(foldConfusables('Олена Петренко')).toBe('Олена Петренко');
    expect(toLatinLowercase('Олена Петренко')).toBe('olena petrenko');
  });

  it('folds to one form every disguise of a Latin name (UTS #39 prototypes)', () => {
    fc.assert(
      fc.property(latinName, fc.infiniteStream(fc.boolean()), (text, swaps) => {
        const letters = [...text];
        const kept = letters.length - 1; // at least one Latin letter: a mixed word
        const disguised = letters
          .map((letter, i) => (i !== kept && swaps.next().value ? lookAlike(letter) : letter))
          .join('');
        expect(canonicalName([disguised])).toBe(canonicalName([text]));
      }),
    );
  });

  it('folds full-width and mathematical letters (NFKC)', () => {
    expect(foldInvisibleAndConfusable('Ｍａｒｉａ 𝐎𝐤𝐚𝐟𝐨𝐫')).toBe('Maria Okafor');
  });
});

/** A Cyrillic or Greek letter that looks like `letter`, or the letter itself if none does. */
function lookAlike(letter: string): string {
  const alikes: Record<string, string> = {
    a: 'а',
    c: 'с',
    e: 'е',
    i: 'і',
    j: 'ј',
    o: 'ο',
    p: 'р',
    s: 'ѕ',
    x: 'х',
    y: 'у',
    v: 'ν',
    A: 'Α',
    B: 'В',
    C: 'С',
    E: 'Ε',
    H: 'Н',
    I: 'І',
    K: 'Κ',
    M: 'М',
    N: 'Ν',
    O: 'О',
    P: 'Ρ',
    T: 'Т',
    X: 'Χ',
    Y: 'Υ',
    Z: 'Ζ',
  };
  return alikes[letter] ?? letter;
}

describe('normaliseDateOfBirth', () => {
  it.each([
    '1998-06-02',
    '02/06/1998',
    '2/6/1998',
    '2.6.1998',
    '02.06.1998',
    '02-06-1998',
    '1998/06/02',
    '1998.6.2',
    '19980602',
    '02061998',
    '1998-06-02T00:00:00Z',
    '2 June 1998',
    '02 JUN 1998',
    '2 juin 1998',
    '2 de junio de 1998',
    'June 2, 1998',
    ' 02 / 06 / 1998 ',
  ])('%s is 2 June 1998', (raw) => {
    expect(normaliseDateOfBirth(raw)).toEqual({
      iso: '1998-06-02',
      year: '1998',
      precision: 'day',
    });
  });

  it.each([
    ['1998', '1998', 'year'],
    ['00.00.1998', '1998', 'year'],
    ['XX/XX/1998', '1998', 'year'],
    ['??/??/1998', '1998', 'year'],
    ['1998-00-00', '1998', 'year'],
    ['15/00/1998', '1998', 'year'],
    ['1998-06', '1998-06', 'month'],
    ['06/1998', '1998-06', 'month'],
    ['00/06/1998', '1998-06', 'month'],
    ['juin 1998', '1998-06', 'month'],
  ])('%s is known to the %s', (raw, iso, precision) => {
    expect(normaliseDateOfBirth(raw)).toEqual({ iso, year: '1998', precision });
  });

  it('reads the month first only when the day-first reading is impossible', () => {
    expect(normaliseDateOfBirth('06/13/1998')?.iso).toBe('1998-06-13');
    expect(normaliseDateOfBirth('06/02/1998')?.iso).toBe('1998-02-06');
  });

  it.each([
    '02/06/98',
    '31/02/1998',
    '29.02.1999',
    '13/13/1998',
    '1998-13-01',
    '0998-01-01',
    '3000',
    'unknown',
    '',
    '1998-06-02-01',
  ])('refuses %j', (raw) => {
    expect(normaliseDateOfBirth(raw)).toBeUndefined();
  });

  it('accepts 29 February in a leap year', () => {
    expect(normaliseDateOfBirth('29.02.2000')?.iso).toBe('2000-02-29');
  });
});

describe('normaliseDocumentNumber', () => {
  it('strips spaces, dashes, dots and slashes and upper-cases', () => {
    expect(normaliseDocumentNumber('A 123-456')).toBe('A123456');
    expect(normaliseDocumentNumber('a123456')).toBe('A123456');
    expect(normaliseDocumentNumber(' ab.12/34 56 ')).toBe('AB123456');
  });

  it('reads Cyrillic and Greek letters of a series as the Latin letters they look like', () => {
    expect(normaliseDocumentNumber('АВ 1234567')).toBe('AB1234567');
    expect(normaliseDocumentNumber('ав-123')).toBe('AB123');
    expect(normaliseDocumentNumber('ΑΚ 98765')).toBe('AK98765');
  });

  it('drops invisible characters typed inside a number', () => {
    expect(normaliseDocumentNumber('A12\u200b34\u00ad567\u{e0041}')).toBe('A1234567');
  });

  it('keeps letter O and digit 0 apart', () => {
    expect(normaliseDocumentNumber('O123')).not.toBe(normaliseDocumentNumber('0123'));
  });
});

describe('normaliseStateCode', () => {
  it('upper-cases two letters and refuses anything else', () => {
    expect(normaliseStateCode(' ng ')).toBe('NG');
    expect(normaliseStateCode('NGA')).toBeUndefined();
    expect(normaliseStateCode('N1')).toBeUndefined();
  });
});
