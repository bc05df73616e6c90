import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateAuthorityKeyPair,
  readPublicKey,
  unlockPrivateKey,
  type PrivateKey,
  type PublicKey,
  type SignerKeys,
} from '#libs/envelope';
import type { PlaintextSource } from '../seal/seal-file.js';

/** An authority with a v4 Ed25519/Cv25519 key, as the directory and its node hold it. */
export interface TestParty {
  id: string;
  privateKey: PrivateKey;
  publicKey: PublicKey;
  armoredPublic: string;
  armoredPrivate: string;
}

export async function testParty(id: string): Promise<TestParty> {
  const pair = await generateAuthorityKeyPair({
    authorityId: id,
    authorityName: id,
    passphrase: 'pw',
  });
  return {
    id,
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, 'pw'),
    publicKey: await readPublicKey(pair.publicKeyArmored),
    armoredPublic: pair.publicKeyArmored,
    armoredPrivate: pair.privateKeyArmored,
  };
}

/** The party's one key, valid at any time (key periods are the directory's). */
export function signerOf(party: TestParty): SignerKeys {
  return { id: party.id, publicKeys: [party.publicKey], signatureRefusal: () => undefined };
}

/**
 * Deterministic pseudo-random bytes (an AES-CTR key stream) of any length, read by position:
 * a file's content without holding it.
 */
export class GeneratedPlaintext implements PlaintextSource {
  private readonly key: Buffer;

  constructor(
    readonly size: number,
    seed = 'files',
  ) {
    this.key = createHash('sha256').update(seed).digest();
  }

  async readInto(position: number, target: Uint8Array): Promise<void> {
    target.set(this.bytes(position, target.length));
  }

  bytes(position: number, length: number): Buffer {
    const block = Math.floor(position / 16);
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(block), 8);
    const skip = position - block * 16;
    const cipher = createCipheriv('aes-256-ctr', this.key, iv);
    return cipher.update(Buffer.alloc(skip + length)).subarray(skip);
  }

  sha256(): string {
    const hash = createHash('sha256');
    for (let at = 0; at < this.size; at += 1 << 20) {
      hash.update(this.bytes(at, Math.min(1 << 20, this.size - at)));
    }
    return hash.digest('hex');
  }
}

export const gpgAvailable = (() => {
  try {
    execFileSync('gpg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A throw-away GnuPG home holding the given keys. */
export function gnupgHome(...armoredKeys: string[]): {
  home: string;
  gpg: (args: string[]) => { stdout: Buffer; status: string };
} {
  const home = mkdtempSync(join(tmpdir(), 'gpg-files-'));
  const gpg = (args: string[]) => {
    const statusFile = join(home, `status-${randomBytes(4).toString('hex')}`);
    const stdout = execFileSync(
      'gpg',
      [
        '--homedir',
        home,
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        'pw',
        '--status-file',
        statusFile,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 },
    );
    return { stdout, status: readStatus(statusFile) };
  };
  for (const armored of armoredKeys) {
    const file = join(home, `key-${randomBytes(4).toString('hex')}.asc`);
    writeFileSync(file, armored);
    gpg(['--import', file]);
  }
  return { home, gpg };
}

function readStatus(file: string): string {
  try {
    return execFileSync('cat', [file]).toString();
  } catch {
    return '';
  }
}
