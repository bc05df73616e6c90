import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { loadDirectory, readSignedDirectory, readTrustAnchors } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { generateAuthorityKeyPair, unlockKeyRing, type GeneratedKeyPair } from '#libs/envelope';
import { loadKeyRing } from '#libs/node-config';
import { exportKey, importKey, publishDirectory, revokeKey, rotateKey } from './lifecycle.js';

const DAY = 86_400_000;
const PASSPHRASE = 'node passphrase';

let first: GeneratedKeyPair;
let work: string;
let folder: string;
let ring: string;

function entry(id: string, kind: string) {
  return {
    id,
    state: 'FR',
    name: id,
    kind,
    endpoint: 'https://gateway.fr.example',
    procedures: ['mla'],
    keys: [
      {
        fingerprint: first.fingerprint,
        publicKeyFile: 'keys/FR.asc',
        validFrom: new Date(Date.now() - 10 * DAY).toISOString(),
      },
    ],
  };
}

beforeEach(async () => {
  first ??= await generateAuthorityKeyPair({
    authorityId: 'FR-MOJ-BEPI',
    authorityName: 'BEPI',
    passphrase: PASSPHRASE,
  });
  work = mkdtempSync(join(tmpdir(), 'key-lifecycle-spec-'));
  folder = join(work, 'directory');
  mkdirSync(join(folder, 'keys'), { recursive: true });
  writeFileSync(join(folder, 'keys', 'FR.asc'), first.publicKeyArmored);
  // A hub: two authorities of one node, listing the node's key.
  writeFileSync(
    join(folder, 'FR-MOJ-BEPI.json'),
    JSON.stringify(entry('FR-MOJ-BEPI', 'central-authority')),
  );
  writeFileSync(
    join(folder, 'FR-MININT-DGEF.json'),
    JSON.stringify(entry('FR-MININT-DGEF', 'immigration-repatriation')),
  );
  ring = join(work, 'ring.asc');
  writeFileSync(ring, first.privateKeyArmored, { mode: 0o600 });
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('rotateKey', () => {
  it('adds the new key to the ring and to every entry that shares the key, with an overlap', async () => {
    const validFrom = new Date(Date.now() + DAY);
    const rotation = await rotateKey({
      directory: folder,
      authorityId: 'FR-MOJ-BEPI',
      ringFile: ring,
      passphrase: PASSPHRASE,
      validFrom,
      overlapDays: 30,
      expiresInDays: 730,
    });
    expect(rotation).toEqual({
      authorities: ['FR-MININT-DGEF', 'FR-MOJ-BEPI'],
      fingerprint: expect.stringMatching(/^[0-9A-F]{40}$/) as string,
      validFrom: validFrom.toISOString(),
      previous: {
        fingerprint: first.fingerprint,
        validUntil: new Date(validFrom.getTime() + 30 * DAY).toISOString(),
      },
    });

    // The ring holds both keys, each under the node's passphrase, and stays owner-only.
    expect(statSync(ring).mode & 0o777).toBe(0o600);
    const keys = await unlockKeyRing(readFileSync(ring, 'utf8'), PASSPHRASE);
    expect(keys.map((k) => k.getFingerprint().toUpperCase())).toEqual([
      first.fingerprint,
      rotation.fingerprint,
    ]);

    const directory = await loadDirectory(folder);
    for (const id of ['FR-MOJ-BEPI', 'FR-MININT-DGEF']) {
      const authority = directory.find(id)!;
      expect(authority.keys.map((k) => k.fingerprint)).toEqual([
        first.fingerprint,
        rotation.fingerprint,
      ]);
      expect(authority.keys[1].expiresAt!.getTime()).toBeGreaterThan(Date.now() + 729 * DAY);
    }

    // The node signs with the old key until the new one takes over, and decrypts with both.
    const nodeRing = await loadKeyRing(ring, PASSPHRASE);
    const bepi = directory.find('FR-MOJ-BEPI')!;
    expect(nodeRing.signingKey(bepi, new Date()).fingerprint).toBe(first.fingerprint);
    expect(nodeRing.signingKey(bepi, new Date(Date.now() + 2 * DAY)).fingerprint).toBe(
      rotation.fingerprint,
    );
    expect(nodeRing.decryptionKeys).toHaveLength(2);
  });

  it('changes nothing when the passphrase does not open the ring', async () => {
    const before = readFileSync(ring, 'utf8');
    const error = await failure(
      rotateKey({
        directory: folder,
        authorityId: 'FR-MOJ-BEPI',
        ringFile: ring,
        passphrase: 'another passphrase',
        validFrom: new Date(),
        overlapDays: 30,
      }),
    );
    expect(error.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    expect(readFileSync(ring, 'utf8')).toBe(before);
    expect((await loadDirectory(folder)).find('FR-MOJ-BEPI')!.keys).toHaveLength(1);
  });
});

describe('revokeKey', () => {
  it('revokes the key in every entry and names the authorities left without a valid key', async () => {
    const at = new Date();
    expect(
      await revokeKey({
        directory: folder,
        fingerprint: first.fingerprint,
        reason: 'key-compromised',
        at,
      }),
    ).toEqual({
      authorities: ['FR-MININT-DGEF', 'FR-MOJ-BEPI'],
      withoutValidKey: ['FR-MININT-DGEF', 'FR-MOJ-BEPI'],
    });
    const key = (await loadDirectory(folder)).find('FR-MOJ-BEPI')!.keys[0];
    expect(key).toMatchObject({ revokedAt: at, revocationReason: 'key-compromised' });
  });

  it('refuses a key no entry lists', async () => {
    const error = await failure(
      revokeKey({
        directory: folder,
        fingerprint: 'A'.repeat(40),
        reason: 'key-retired',
        at: new Date(),
      }),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
  });
});

describe('importKey and exportKey', () => {
  let peer: GeneratedKeyPair;
  beforeAll(async () => {
    peer = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-BEPI',
      authorityName: 'BEPI',
      passphrase: PASSPHRASE,
    });
  });

  it('adds a public key to named entries, and never a private key', async () => {
    const validFrom = new Date();
    const validUntil = new Date(Date.now() + 400 * DAY);
    expect(
      await importKey(peer.publicKeyArmored, {
        directory: folder,
        authorityIds: ['FR-MOJ-BEPI'],
        validFrom,
        validUntil,
      }),
    ).toEqual({ fingerprint: peer.fingerprint, into: folder });
    const directory = await loadDirectory(folder);
    expect(directory.find('FR-MOJ-BEPI')!.key(peer.fingerprint)).toMatchObject({
      validFrom,
      validUntil,
    });
    expect(directory.find('FR-MININT-DGEF')!.key(peer.fingerprint)).toBeUndefined();

    const error = await failure(
      importKey(peer.privateKeyArmored, {
        directory: folder,
        authorityIds: ['FR-MININT-DGEF'],
        validFrom,
      }),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(readFileSync(join(folder, 'FR-MININT-DGEF.json'), 'utf8')).not.toContain(
      peer.fingerprint,
    );
  });

  it('adds a private key to the ring only under the node passphrase, once', async () => {
    await importKey(peer.privateKeyArmored, { ringFile: ring, passphrase: PASSPHRASE });
    expect((await loadKeyRing(ring, PASSPHRASE)).fingerprints).toEqual([
      first.fingerprint,
      peer.fingerprint,
    ]);
    const again = await failure(
      importKey(peer.privateKeyArmored, { ringFile: ring, passphrase: PASSPHRASE }),
    );
    expect(again.code).toBe(ErrorCode.VALIDATION_FAILED);

    const other = await generateAuthorityKeyPair({
      authorityId: 'X',
      authorityName: 'X',
      passphrase: 'not the node passphrase',
    });
    const wrong = await failure(
      importKey(other.privateKeyArmored, { ringFile: ring, passphrase: PASSPHRASE }),
    );
    expect(wrong.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    const { privateKey: bare } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: 'unprotected' }],
      format: 'armored',
    });
    const unprotected = await failure(importKey(bare, { ringFile: ring, passphrase: PASSPHRASE }));
    expect(unprotected.message).toContain('without a passphrase');
    expect(readFileSync(ring, 'utf8')).not.toContain(bare.split('\n')[3]);
  });

  it('exports the public key, or the private key still encrypted exactly as stored', async () => {
    const publicKey = await exportKey({
      ringFile: ring,
      fingerprint: first.fingerprint,
      private: false,
    });
    const read = await openpgp.readKey({ armoredKey: publicKey });
    expect(read.isPrivate()).toBe(false);
    expect(read.getFingerprint().toUpperCase()).toBe(first.fingerprint);

    const privateKey = await exportKey({
      ringFile: ring,
      fingerprint: first.fingerprint,
      private: true,
    });
    expect(privateKey).toBe(first.privateKeyArmored);
    expect((await openpgp.readPrivateKey({ armoredKey: privateKey })).isDecrypted()).toBe(false);

    const error = await failure(
      exportKey({ ringFile: ring, fingerprint: 'B'.repeat(40), private: false }),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
  });
});

describe('publishDirectory', () => {
  it('signs the folder into a document that verifies against the directory authority key', async () => {
    const authority = await generateAuthorityKeyPair({
      authorityId: 'directory',
      authorityName: 'Directory authority',
      passphrase: 'directory passphrase',
    });
    writeFileSync(join(work, 'authority.key.asc'), authority.privateKeyArmored);
    const issuedAt = new Date('2026-06-01T00:00:00Z');
    const out = join(work, 'directory.asc');
    const published = await publishDirectory({
      directory: folder,
      signingKeyFile: join(work, 'authority.key.asc'),
      passphrase: 'directory passphrase',
      issuedAt,
      out,
    });
    const verified = await readSignedDirectory(
      readFileSync(out, 'utf8'),
      await readTrustAnchors(authority.publicKeyArmored),
      out,
    );
    expect(published).toEqual({
      issuedAt: issuedAt.toISOString(),
      digest: verified.digest,
      authorities: 2,
    });
    expect(verified.version?.issuedAt).toEqual(issuedAt);
  });
});
