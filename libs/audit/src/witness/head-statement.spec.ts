import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateAuthorityKeyPair,
  readPublicKey,
  unlockPrivateKey,
  type PrivateKey,
  type SignerKeys,
} from '#libs/envelope';
import { ErrorCode, type GatewayError } from '#libs/errors';
import {
  MAX_HEAD_STATEMENT_BYTES,
  parseHeadStatement,
  signHeadStatement,
  verifyHeadStatement,
  type AuditHeadStatement,
} from './head-statement.js';

const FR = 'FR-MOJ-BEPI';

interface Party {
  key: PrivateKey;
  armoredPublic: string;
  signer: SignerKeys;
}

async function party(id: string): Promise<Party> {
  const pair = await generateAuthorityKeyPair({
    authorityId: id,
    authorityName: id,
    passphrase: 'pw',
  });
  const publicKey = await readPublicKey(pair.publicKeyArmored);
  return {
    key: await unlockPrivateKey(pair.privateKeyArmored, 'pw'),
    armoredPublic: pair.publicKeyArmored,
    signer: { id, publicKeys: [publicKey], signatureRefusal: () => undefined },
  };
}

const statement = (change: Partial<AuditHeadStatement> = {}): AuditHeadStatement => ({
  type: 'audit-head',
  formatVersion: 1,
  authority: FR,
  seq: '42',
  headHash: 'a'.repeat(64),
  signedAt,
  ...change,
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: GatewayError) => error.code,
  );

const gpgAvailable = (() => {
  try {
    execFileSync('gpg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Once the keys exist: openpgp signs nothing dated before its key. */
let signedAt = '';

describe('audit head statements', () => {
  let fr: Party;
  let impostor: Party;

  beforeAll(async () => {
    [fr, impostor] = await Promise.all([party(FR), party(FR)]);
    signedAt = new Date().toISOString();
  }, 60_000);

  it('verifies against the signer’s directory keys and gives back the statement', async () => {
    const armored = await signHeadStatement(statement(), fr.key);
    const verified = await verifyHeadStatement(armored, fr.signer, new Date(Date.now() + 5000));
    expect(verified.statement).toEqual(statement());
    expect(verified.signerFingerprint).toMatch(/^[0-9A-F]{40}$/);
  });

  (gpgAvailable ? it : it.skip)('is a cleartext-signed document GnuPG verifies', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gpg-witness-'));
    writeFileSync(join(home, 'fr.asc'), fr.armoredPublic);
    writeFileSync(join(home, 'head.asc'), await signHeadStatement(statement(), fr.key));
    const gpg = (args: string[]) =>
      execFileSync('gpg', ['--homedir', home, '--batch', ...args], { stdio: 'pipe' });
    gpg(['--import', join(home, 'fr.asc')]);
    expect(gpg(['--status-fd', '1', '--verify', join(home, 'head.asc')]).toString()).toMatch(
      /\[GNUPG:\] GOODSIG/,
    );
  });

  it('refuses a statement signed by another key as SIGNATURE_INVALID', async () => {
    const armored = await signHeadStatement(statement(), impostor.key);
    expect(await codeOf(verifyHeadStatement(armored, fr.signer))).toBe(ErrorCode.SIGNATURE_INVALID);
  });

  it('refuses a statement whose text was changed after signing', async () => {
    const armored = await signHeadStatement(statement(), fr.key);
    const altered = armored.replace('"seq":"42"', '"seq":"41"');
    expect(altered).not.toBe(armored);
    expect(await codeOf(verifyHeadStatement(altered, fr.signer))).toBe(ErrorCode.SIGNATURE_INVALID);
  });

  it('refuses a signature made while the directory did not let the key sign', async () => {
    const armored = await signHeadStatement(statement(), fr.key);
    const revoked: SignerKeys = { ...fr.signer, signatureRefusal: () => 'the key was revoked' };
    expect(await codeOf(verifyHeadStatement(armored, revoked))).toBe(
      ErrorCode.SIGNING_KEY_NOT_VALID,
    );
  });

  it('refuses a statement about another authority than its signer', async () => {
    const armored = await signHeadStatement(statement({ authority: 'NG-MOJ-CA' }), fr.key);
    expect(await codeOf(verifyHeadStatement(armored, fr.signer))).toBe(ErrorCode.ROUTING_MISMATCH);
  });

  it('refuses junk and oversized input before any signature check', async () => {
    expect(await codeOf(verifyHeadStatement('hello', fr.signer))).toBe(
      ErrorCode.ENVELOPE_MALFORMED,
    );
    const header = '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{}\n';
    expect(await codeOf(verifyHeadStatement(header, fr.signer))).toBe(ErrorCode.ENVELOPE_MALFORMED);
    const huge = `-----BEGIN PGP SIGNED MESSAGE-----\n${'x'.repeat(MAX_HEAD_STATEMENT_BYTES)}`;
    // Refused before any key is looked at: a signer whose keys cannot even be read.
    const untouchable: SignerKeys = {
      ...fr.signer,
      get publicKeys(): never {
        throw new Error('a key was read for an oversized statement');
      },
    };
    expect(await codeOf(verifyHeadStatement(huge, untouchable))).toBe(ErrorCode.ENVELOPE_TOO_LARGE);
  });

  it.each<[string, Record<string, unknown>]>([
    ['type', { type: 'receipt' }],
    ['formatVersion', { formatVersion: 2 }],
    ['seq', { seq: '0' }],
    ['seq', { seq: '-1' }],
    ['seq', { seq: 42 }],
    ['seq', { seq: '1'.repeat(20) }],
    ['headHash', { headHash: 'A'.repeat(64) }],
    ['signedAt', { signedAt: 'yesterday' }],
    ['extra', { extra: true }],
  ])('refuses a statement with a bad %s as PAYLOAD_INVALID', (field, change) => {
    expect(() => parseHeadStatement(JSON.stringify({ ...statement(), ...change }))).toThrow(
      expect.objectContaining({
        code: ErrorCode.PAYLOAD_INVALID,
        details: [{ field }],
      }) as Error,
    );
  });
});
