import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  keyedHash,
  personHashedKeys,
  personHashes,
  REGISTER_HASH,
  registrationHashes,
  textHashes,
  textHashesInTurns,
} from './keyed-hash.js';
import { personKeys, registrationKeys } from './identifier-keys.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
const person = {
  names: { givenNames: ['Blessing'], familyNames: ['Eze'] },
  dateOfBirth: '1998-06-02',
  documents: [{ kind: 'passport', number: 'A123456', issuingState: 'NG' }],
};

describe('keyed hashes', () => {
  it('is HMAC-SHA-256 of the canonical key, base64url', () => {
    const canonical = 'v1|name-dob|blesing eze|1998-06-02';
    const expected = createHmac('sha256', secret).update(canonical).digest('base64url');
    expect(keyedHash(secret, canonical)).toBe(expected);
    expect(expected).toMatch(REGISTER_HASH);
  });

  it('is HMAC-SHA-256 for secrets of any length and strings of any content', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (key, canonical) => {
          const expected = createHmac('sha256', key).update(canonical, 'utf8').digest('base64url');
          expect(keyedHash(key, canonical)).toBe(expected);
        },
      ),
    );
  });

  it('follows a secret changed in place', () => {
    const changing = Buffer.from(secret);
    const before = keyedHash(changing, 'v2|name|a b');
    changing[0] ^= 1;
    expect(keyedHash(changing, 'v2|name|a b')).toBe(
      createHmac('sha256', changing).update('v2|name|a b').digest('base64url'),
    );
    expect(keyedHash(changing, 'v2|name|a b')).not.toBe(before);
  });

  it('hashes every key of a person, in order, with its kind', () => {
    const keys = personKeys(person);
    expect(personHashedKeys(secret, person)).toEqual(
      keys.map(({ kind, canonical }) => ({ kind, hash: keyedHash(secret, canonical) })),
    );
    expect(personHashes(secret, person)).toHaveLength(keys.length);
  });

  it('hashes a registration to as many hashes as it has keys, without personal data', () => {
    const registration = {
      names: [person.names],
      datesOfBirth: ['1998-06-02'],
      documents: person.documents,
    };
    const hashes = registrationHashes(secret, registration);
    expect(hashes).toHaveLength(registrationKeys(registration).length);
    for (const hash of hashes) {
      expect(hash).toMatch(REGISTER_HASH);
      expect(hash.toLowerCase()).not.toContain('eze');
    }
  });

  it('differs with another secret', () => {
    const other = randomBytes(32);
    const mine = personHashes(secret, person);
    const theirs = personHashes(other, person);
    expect(theirs).toHaveLength(mine.length);
    for (const hash of theirs) expect(mine).not.toContain(hash);
  });

  it('separates key kinds: the same text under two kinds hashes differently', () => {
    expect(keyedHash(secret, 'v1|name|blesing eze')).not.toBe(
      keyedHash(secret, 'v1|name-no-dob|blesing eze'),
    );
  });

  it('refuses a secret shorter than 16 bytes', () => {
    expect(() => personHashes(Buffer.alloc(15), person)).toThrow(RangeError);
    expect(() => keyedHash('secret' as unknown as Uint8Array, 'v1|name|x y')).toThrow(RangeError);
  });

  describe('of a free text read in turns', () => {
    const words = fc.constantFrom(
      'Blessing',
      'EZE',
      'Abdel-Rahman',
      "O'Brien",
      'Mohammed',
      'the',
      'victim',
      'born',
      '2 June 1998',
      '1998-06-02',
      'Lagos,',
      'A123456',
      'Елена',
      'محمد',
    );

    it('gives what textHashes gives, in the same order, however the text is cut', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(words, { maxLength: 300 }), async (text) => {
          const joined = text.join(' ');
          expect(await textHashesInTurns(secret, joined)).toEqual(textHashes(secret, joined));
        }),
        { numRuns: 60 },
      );
    });

    it('lets the process serve other work while it reads a long text', async () => {
      const text = Array.from({ length: 400 }, (_, i) => `Name${i % 37} Other${i % 11}`).join(' ');
      let servedMeanwhile = false;
      const reading = textHashesInTurns(secret, text).then((hashes) => ({
        hashes,
        servedMeanwhile,
      }));
      setImmediate(() => (servedMeanwhile = true));
      const { hashes, servedMeanwhile: served } = await reading;
      expect(served).toBe(true);
      expect(hashes).toEqual(textHashes(secret, text));
    });

    it('refuses a short secret as textHashes does', async () => {
      await expect(textHashesInTurns(new Uint8Array(8), 'Blessing Eze')).rejects.toThrow(
        RangeError,
      );
    });
  });
});
