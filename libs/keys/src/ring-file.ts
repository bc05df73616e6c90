import { appendFileSync, chmodSync, readFileSync } from 'node:fs';
import * as openpgp from 'openpgp';
import { fingerprintOf, splitArmoredPrivateKeys } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';

export interface RingEntry {
  fingerprint: string;
  /** The armored block exactly as stored: still encrypted with the node's passphrase. */
  armored: string;
  key: openpgp.PrivateKey;
}

/** The keys of a key ring file, read without unlocking them. */
export async function readRingFile(file: string): Promise<RingEntry[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, `cannot read the key ring file ${file}`);
  }
  return Promise.all(
    splitArmoredPrivateKeys(text).map(async (armored) => {
      const key = await openpgp.readPrivateKey({ armoredKey: armored });
      return { fingerprint: fingerprintOf(key), armored, key };
    }),
  );
}

/** Adds an (encrypted) armored private key at the end of the ring; the file stays owner-only. */
export function appendToRingFile(file: string, armored: string): void {
  appendFileSync(file, armored.endsWith('\n') ? armored : `${armored}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
