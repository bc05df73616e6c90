import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  generateAuthorityKeyPair,
  readPublicKey,
  sha256Hex,
  signReceipt,
  unlockPrivateKey,
  type GeneratedKeyPair,
  type PrivateKey,
  type PublicKey,
} from '#libs/envelope';
import type { AuthorityDirectory, DirectoryVersion } from './authority.js';
import { loadDirectory } from './load-directory.js';
import {
  readSignedDirectory,
  readTrustAnchors,
  rollbackRefusal,
  signDirectory,
} from './signed-directory.js';

let fr: GeneratedKeyPair;
let anchor: { privateKey: PrivateKey; publicKey: PublicKey; armored: string };
let impostor: PrivateKey;
let folder: string;
let directory: AuthorityDirectory;
const ISSUED = new Date('2026-05-01T08:00:00Z');

beforeAll(async () => {
  const [pair, directoryAuthority, other] = await Promise.all(
    ['FR-MOJ-BEPI', 'directory', 'directory'].map((authorityId) =>
      generateAuthorityKeyPair({ authorityId, authorityName: authorityId, passphrase: 'pw' }),
    ),
  );
  fr = pair;
  anchor = {
    privateKey: await unlockPrivateKey(directoryAuthority.privateKeyArmored, 'pw'),
    publicKey: await readPublicKey(directoryAuthority.publicKeyArmored),
    armored: directoryAuthority.publicKeyArmored,
  };
  impostor = await unlockPrivateKey(other.privateKeyArmored, 'pw');
  folder = mkdtempSync(join(tmpdir(), 'signed-directory-spec-'));
  mkdirSync(join(folder, 'keys'));
  writeFileSync(join(folder, 'keys', 'fr.asc'), fr.publicKeyArmored);
  writeFileSync(
    join(folder, 'fr.json'),
    JSON.stringify({
      id: 'FR-MOJ-BEPI',
      state: 'FR',
      name: 'BEPI',
      kind: 'central-authority',
      endpoint: 'https://gateway.bepi.example',
      procedures: ['mla'],
      keys: [
        {
          fingerprint: fr.fingerprint,
          publicKeyFile: 'keys/fr.asc',
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: '2027-01-01T00:00:00Z',
        },
      ],
    }),
  );
  directory = await loadDirectory(folder);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('signed directory', () => {
  it('round-trips: the same authorities, keys and digest as the folder, with its version', async () => {
    const signed = await signDirectory(directory, anchor.privateKey, ISSUED);
    expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    const read = await readSignedDirectory(signed, [anchor.publicKey], 'directory.asc');
    expect(read.digest).toBe(directory.digest);
    expect(read.find('FR-MOJ-BEPI')!.keys[0]).toMatchObject({
      fingerprint: fr.fingerprint,
      validUntil: new Date('2027-01-01T00:00:00Z'),
    });
    expect(read.version).toEqual({
      issuedAt: ISSUED,
      signer: anchor.publicKey.getFingerprint().toUpperCase(),
      documentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
  });

  it('refuses a document whose content was changed after signing', async () => {
    const signed = await signDirectory(directory, anchor.privateKey, ISSUED);
    const tampered = signed.replace('https://gateway.bepi.example', 'https://attacker.example');
    const error = await failure(readSignedDirectory(tampered, [anchor.publicKey], 'x.asc'));
    expect(error.code).toBe(ErrorCode.DIRECTORY_SIGNATURE_INVALID);
  });

  it('refuses a document signed by a key that is not a trust anchor', async () => {
    const signed = await signDirectory(directory, impostor, ISSUED);
    const error = await failure(readSignedDirectory(signed, [anchor.publicKey], 'x.asc'));
    expect(error.code).toBe(ErrorCode.DIRECTORY_SIGNER_UNKNOWN);
    expect(error.message).toContain(impostor.getKeyID().toHex().toUpperCase());
  });

  it('refuses an unsigned document and a document of another kind', async () => {
    const plain = JSON.stringify({ format: 'tip-gateway-directory/1', authorities: [] });
    expect((await failure(readSignedDirectory(plain, [anchor.publicKey], 'x'))).code).toBe(
      ErrorCode.DIRECTORY_SIGNATURE_INVALID,
    );
    const receipt = await signReceipt(
      {
        type: 'receipt',
        formatVersion: 1,
        messageId: 'x',
        sender: 'FR-MOJ-BEPI',
        recipient: 'NG-MOJ-CA',
        envelopeSha256: sha256Hex('x'),
        receivedAt: ISSUED.toISOString(),
      },
      anchor.privateKey,
    );
    expect((await failure(readSignedDirectory(receipt, [anchor.publicKey], 'x'))).code).toBe(
      ErrorCode.CONFIGURATION_INVALID,
    );
  });

  it('reads several trust anchors and refuses a file without one', async () => {
    const anchors = await readTrustAnchors(`${anchor.armored}\n${fr.publicKeyArmored}`);
    expect(anchors).toHaveLength(2);
    const signed = await signDirectory(directory, anchor.privateKey, ISSUED);
    await expect(readSignedDirectory(signed, anchors, 'x')).resolves.toBeDefined();
    expect((await failure(readTrustAnchors('no key here'))).code).toBe(
      ErrorCode.CONFIGURATION_INVALID,
    );
  });

  const gpg = (() => {
    try {
      execFileSync('gpg', ['--version']);
      return true;
    } catch {
      return false;
    }
  })();

  (gpg ? it : it.skip)('is a cleartext-signed document that GnuPG verifies', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gnupg-'));
    const signed = join(home, 'directory.asc');
    writeFileSync(signed, await signDirectory(directory, anchor.privateKey, ISSUED));
    writeFileSync(join(home, 'anchor.asc'), anchor.armored);
    const run = (args: string[]) =>
      execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    run(['--import', join(home, 'anchor.asc')]);
    expect(run(['--verify', signed])).toContain('GOODSIG');
    rmSync(home, { recursive: true, force: true });
  });
});

describe('rollbackRefusal', () => {
  const version = (issuedAt: string, documentSha256 = 'a'.repeat(64)): DirectoryVersion => ({
    issuedAt: new Date(issuedAt),
    documentSha256,
    signer: 'F'.repeat(40),
  });

  it('accepts the first directory, the same one again, and any later one', () => {
    expect(rollbackRefusal(undefined, version('2026-05-01T00:00:00Z'))).toBeUndefined();
    const accepted = version('2026-05-01T00:00:00Z');
    expect(rollbackRefusal(accepted, version('2026-05-01T00:00:00Z'))).toBeUndefined();
    expect(rollbackRefusal(accepted, version('2026-05-02T00:00:00Z', 'b'.repeat(64)))).toBe(
      undefined,
    );
  });

  it('refuses a directory issued before the one accepted', () => {
    expect(rollbackRefusal(version('2026-05-02T00:00:00Z'), version('2026-05-01T00:00:00Z'))).toBe(
      'this directory was issued 2026-05-01T00:00:00.000Z, but the directory already accepted was issued 2026-05-02T00:00:00.000Z: refused as a rollback',
    );
  });

  it('refuses another directory with the same issue time', () => {
    expect(
      rollbackRefusal(
        version('2026-05-01T00:00:00Z'),
        version('2026-05-01T00:00:00Z', 'b'.repeat(64)),
      ),
    ).toMatch(/differs from the one already accepted with the same issue time/);
  });
});
