import {
  generateAuthorityKeyPair,
  keyExpiresAt,
  readPublicKey,
  type GeneratedKeyPair,
} from '#libs/envelope';
import { Authority, AuthorityDirectory, type DirectoryKey } from './authority.js';
import { keyExpiryWarnings } from './key-expiry.js';

const DAY = 86_400_000;
const NOW = new Date();
const days = (n: number) => new Date(NOW.getTime() + n * DAY);

let pairs: GeneratedKeyPair[];
let expiringPair: GeneratedKeyPair;

beforeAll(async () => {
  pairs = await Promise.all(
    [1, 2, 3].map(() =>
      generateAuthorityKeyPair({ authorityId: 'X', authorityName: 'X', passphrase: 'pw' }),
    ),
  );
  expiringPair = await generateAuthorityKeyPair({
    authorityId: 'NG-MOJ-CA',
    authorityName: 'NG',
    passphrase: 'pw',
    expiresInDays: 45,
  });
});

async function key(pair: GeneratedKeyPair, periods: Partial<DirectoryKey>): Promise<DirectoryKey> {
  const publicKey = await readPublicKey(pair.publicKeyArmored);
  return {
    fingerprint: pair.fingerprint,
    publicKeyArmored: pair.publicKeyArmored,
    publicKey,
    validFrom: days(-10),
    expiresAt: await keyExpiresAt(publicKey),
    ...periods,
  };
}

function directoryOf(entries: Array<[id: string, keys: DirectoryKey[]]>): AuthorityDirectory {
  return new AuthorityDirectory(
    entries.map(
      ([id, keys]) =>
        new Authority({
          id,
          state: id.slice(0, 2),
          name: id,
          kind: 'central-authority',
          endpoint: 'https://gateway.example',
          procedures: ['mla'],
          keys,
        }),
    ),
    'digest',
  );
}

describe('keyExpiryWarnings', () => {
  it('warns of a key in use that ends within the horizon with no successor', async () => {
    const directory = directoryOf([
      ['FR-MOJ-BEPI', [await key(pairs[0], { validUntil: days(30) })]],
      ['NG-MOJ-CA', [await key(expiringPair, {})]],
      ['IT-MOJ-DAG', [await key(pairs[1], { validUntil: days(90) })]],
    ]);
    expect(keyExpiryWarnings(directory, ['FR-MOJ-BEPI'], NOW, 60)).toEqual([
      {
        authorityId: 'FR-MOJ-BEPI',
        owner: 'own',
        fingerprint: pairs[0].fingerprint,
        endsAt: days(30).toISOString(),
        daysLeft: 30,
        reason: expect.stringMatching(
          /^FR-MOJ-BEPI's key [0-9A-F]{40} stops being valid on .* \(in 30 days\) and the directory lists no successor: after that this node can no longer sign or be written to$/,
        ) as string,
      },
      expect.objectContaining({
        authorityId: 'NG-MOJ-CA',
        owner: 'peer',
        fingerprint: expiringPair.fingerprint,
        reason: expect.stringContaining('expires (OpenPGP key expiry)') as string,
      }),
    ]);
    // OpenPGP creation times are whole seconds: 45 days from within a second of NOW.
    expect([44, 45]).toContain(keyExpiryWarnings(directory, [], NOW, 60)[1].daysLeft);
    expect(keyExpiryWarnings(directory, [], NOW, 120).map((w) => w.authorityId)).toEqual([
      'FR-MOJ-BEPI',
      'NG-MOJ-CA',
      'IT-MOJ-DAG',
    ]);
  });

  it('is quiet when a successor takes over before the key ends (a rotation with overlap)', async () => {
    const directory = directoryOf([
      [
        'FR-MOJ-BEPI',
        [
          await key(pairs[0], { validUntil: days(30) }),
          await key(pairs[1], { validFrom: days(20) }),
        ],
      ],
    ]);
    expect(keyExpiryWarnings(directory, ['FR-MOJ-BEPI'], NOW, 60)).toEqual([]);
  });

  it('warns when the successor starts only after the key ends, or is itself revoked', async () => {
    const late = directoryOf([
      [
        'FR-MOJ-BEPI',
        [
          await key(pairs[0], { validUntil: days(30) }),
          await key(pairs[1], { validFrom: days(31) }),
        ],
      ],
    ]);
    expect(keyExpiryWarnings(late, [], NOW, 60)).toHaveLength(1);
    const revoked = directoryOf([
      [
        'FR-MOJ-BEPI',
        [
          await key(pairs[0], { validUntil: days(30) }),
          await key(pairs[1], { revokedAt: days(-1), revocationReason: 'key-compromised' }),
        ],
      ],
    ]);
    expect(keyExpiryWarnings(revoked, [], NOW, 60)).toHaveLength(1);
  });

  it('warns of an authority left without any valid key', async () => {
    const directory = directoryOf([
      [
        'NG-MOJ-CA',
        [await key(pairs[2], { revokedAt: days(-1), revocationReason: 'key-compromised' })],
      ],
    ]);
    expect(keyExpiryWarnings(directory, [], NOW, 60)).toEqual([
      {
        authorityId: 'NG-MOJ-CA',
        owner: 'peer',
        fingerprint: null,
        endsAt: null,
        daysLeft: 0,
        reason: 'NG-MOJ-CA has no valid key in the directory: messages to and from it are refused',
      },
    ]);
  });
});
