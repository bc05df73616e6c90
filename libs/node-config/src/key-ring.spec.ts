import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authority } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { generateAuthorityKeyPair, readPublicKey, type GeneratedKeyPair } from '#libs/envelope';
import { loadKeyRing } from './key-ring.js';

const DAY = 86_400_000;
let previous: GeneratedKeyPair;
let current: GeneratedKeyPair;
let scratch: string;

beforeAll(async () => {
  [previous, current] = await Promise.all(
    [1, 2].map(() =>
      generateAuthorityKeyPair({
        authorityId: 'FR-MOJ-BEPI',
        authorityName: 'BEPI',
        passphrase: 'pw',
      }),
    ),
  );
  scratch = mkdtempSync(join(tmpdir(), 'key-ring-spec-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

async function bepi(pairs: Array<[GeneratedKeyPair, Date, Date?]>): Promise<Authority> {
  return new Authority({
    id: 'FR-MOJ-BEPI',
    state: 'FR',
    name: 'BEPI',
    kind: 'central-authority',
    endpoint: 'https://gateway.example',
    procedures: ['mla'],
    keys: await Promise.all(
      pairs.map(async ([pair, validFrom, validUntil]) => ({
        fingerprint: pair.fingerprint,
        publicKeyArmored: pair.publicKeyArmored,
        publicKey: await readPublicKey(pair.publicKeyArmored),
        validFrom,
        validUntil,
      })),
    ),
  });
}

function failure(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

describe('NodeKeyRing', () => {
  it('unlocks every key of the ring and signs with the one the directory makes current', async () => {
    const ring = await loadKeyRing(
      file('ring.asc', `${previous.privateKeyArmored}\n${current.privateKeyArmored}`),
      'pw',
    );
    expect(ring.fingerprints).toEqual([previous.fingerprint, current.fingerprint]);
    expect(ring.decryptionKeys.every((key) => key.isDecrypted())).toBe(true);
    const now = new Date();
    const authority = await bepi([
      [previous, new Date(now.getTime() - 10 * DAY), new Date(now.getTime() + 20 * DAY)],
      [current, new Date(now.getTime() - DAY)],
    ]);
    expect(ring.signingKey(authority, now).fingerprint).toBe(current.fingerprint);
    expect(ring.signingKey(authority, new Date(now.getTime() - 2 * DAY)).fingerprint).toBe(
      previous.fingerprint,
    );
  });

  it('refuses to sign when the directory has no valid key, or one the ring lacks', async () => {
    const ring = await loadKeyRing(file('old.asc', previous.privateKeyArmored), 'pw');
    const now = new Date();
    const rotated = await bepi([[current, new Date(now.getTime() - DAY)]]);
    const missing = failure(() => ring.signingKey(rotated, now));
    expect(missing.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    expect(missing.message).toContain(`(${current.fingerprint}) is not in the private key file`);
    const lapsed = await bepi([
      [previous, new Date(now.getTime() - 10 * DAY), new Date(now.getTime() - DAY)],
    ]);
    expect(failure(() => ring.signingKey(lapsed, now)).message).toContain('no valid key');
  });

  it.each<[string, string, string]>([
    ['an empty file', '', 'holds no armored OpenPGP private key'],
    ['a public key', 'PUBLIC', 'holds no armored OpenPGP private key'],
    ['a wrong passphrase', 'PRIVATE', 'could not be unlocked'],
  ])('refuses %s with KEY_UNAVAILABLE', async (_label, content, message) => {
    const text =
      content === 'PUBLIC'
        ? previous.publicKeyArmored
        : content === 'PRIVATE'
          ? previous.privateKeyArmored
          : content;
    const error = await loadKeyRing(file('bad.asc', text), 'not the passphrase').catch(
      (thrown: unknown) => thrown as GatewayError,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(ErrorCode.KEY_UNAVAILABLE);
    expect((error as GatewayError).message).toContain(message);
    expect((error as GatewayError).message).not.toContain('not the passphrase');
  });

  it('refuses an unreadable file, naming it', async () => {
    const missing = join(scratch, 'missing.asc');
    await expect(loadKeyRing(missing, 'pw')).rejects.toThrow(missing);
  });
});
