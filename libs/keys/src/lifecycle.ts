import { readFileSync, writeFileSync } from 'node:fs';
import {
  DirectoryFolder,
  loadDirectory,
  signDirectory,
  type RevocationReason,
} from '#libs/directory';
import {
  fingerprintOf,
  generateAuthorityKeyPair,
  readPublicKey,
  unlockKeyRing,
  unlockPrivateKey,
} from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { appendToRingFile, readRingFile } from './ring-file.js';

const DAY_MS = 86_400_000;

export interface Rotation {
  authorities: string[];
  fingerprint: string;
  validFrom: string;
  previous: { fingerprint: string; validUntil: string } | null;
}

/**
 * Rotates an authority's key: a new key pair, protected by the node's passphrase, is added to the
 * node's key ring, and to the directory entry of the authority (and of every authority hosted with
 * it, which share its keys) as valid from `validFrom`. The previous key stays valid for the overlap,
 * then ends: peers keep accepting what it signed meanwhile, and the node keeps it to decrypt. The
 * ring is written first: a directory naming a key the node does not hold would stop the node.
 */
export async function rotateKey(options: {
  directory: string;
  authorityId: string;
  ringFile: string;
  passphrase: string;
  validFrom: Date;
  overlapDays: number;
  expiresInDays?: number;
}): Promise<Rotation> {
  const directory = await loadDirectory(options.directory);
  const authority = directory.find(options.authorityId);
  if (!authority) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `${options.authorityId} is not in the directory ${options.directory}`,
    );
  }
  // The new key must open with the same passphrase as the keys already in the ring.
  await unlockKeyRing(readKeyFile(options.ringFile), options.passphrase);
  const previous = authority.currentKey(options.validFrom);
  const authorities = previous
    ? directory
        .all()
        .filter((other) => other.key(previous.fingerprint))
        .map((other) => other.id)
    : [authority.id];
  const pair = await generateAuthorityKeyPair({
    authorityId: authority.id,
    authorityName: authority.name,
    passphrase: options.passphrase,
    expiresInDays: options.expiresInDays,
  });
  appendToRingFile(options.ringFile, pair.privateKeyArmored);
  const folder = new DirectoryFolder(options.directory);
  await folder.addKey(authorities, {
    fingerprint: pair.fingerprint,
    publicKeyArmored: pair.publicKeyArmored,
    validFrom: options.validFrom,
  });
  let ended: Rotation['previous'] = null;
  if (previous) {
    const until = new Date(options.validFrom.getTime() + options.overlapDays * DAY_MS);
    await folder.endKey(previous.fingerprint, until);
    const after = (await loadDirectory(options.directory)).find(authority.id)!;
    ended = {
      fingerprint: previous.fingerprint,
      validUntil: after.key(previous.fingerprint)!.validUntil!.toISOString(),
    };
  }
  return {
    authorities,
    fingerprint: pair.fingerprint,
    validFrom: options.validFrom.toISOString(),
    previous: ended,
  };
}

/**
 * Revokes a key in every directory entry that lists it. Authorities left with no valid key are
 * named: nothing can be sent to them or accepted from them until they get a new one.
 */
export async function revokeKey(options: {
  directory: string;
  fingerprint: string;
  reason: RevocationReason;
  at: Date;
}): Promise<{ authorities: string[]; withoutValidKey: string[] }> {
  const authorities = await new DirectoryFolder(options.directory).revokeKey(
    options.fingerprint,
    options.at,
    options.reason,
  );
  const directory = await loadDirectory(options.directory);
  const withoutValidKey = authorities.filter((id) => !directory.find(id)!.currentKey(options.at));
  return { authorities, withoutValidKey };
}

/**
 * Imports a key. A public key (a peer's new key, received and checked out of band) joins an
 * authority's directory entry; a private key joins the node's key ring, only if it is protected by
 * the node's passphrase. A private key is never written into the directory.
 */
export async function importKey(
  armored: string,
  target:
    | {
        directory: string;
        authorityIds: string[];
        validFrom: Date;
        validUntil?: Date;
      }
    | { ringFile: string; passphrase: string },
): Promise<{ fingerprint: string; into: string }> {
  if ('ringFile' in target) {
    const key = await unlockPrivateKey(armored, target.passphrase);
    const fingerprint = fingerprintOf(key);
    const ring = await readRingFile(target.ringFile);
    if (ring.some((entry) => entry.fingerprint === fingerprint)) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, `the ring already holds ${fingerprint}`);
    }
    appendToRingFile(target.ringFile, armored.trim());
    return { fingerprint, into: target.ringFile };
  }
  let fingerprint: string;
  try {
    fingerprint = fingerprintOf(await readPublicKey(armored));
  } catch {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      'only an armored OpenPGP public key goes into the directory',
    );
  }
  await new DirectoryFolder(target.directory).addKey(target.authorityIds, {
    fingerprint,
    publicKeyArmored: armored,
    validFrom: target.validFrom,
    validUntil: target.validUntil,
  });
  return { fingerprint, into: target.directory };
}

/**
 * Exports a key of the node's ring: its public key, or the private key exactly as stored, still
 * encrypted with the node's passphrase. An unprotected private key is never written out.
 */
export async function exportKey(options: {
  ringFile: string;
  fingerprint: string;
  private: boolean;
}): Promise<string> {
  const entry = (await readRingFile(options.ringFile)).find(
    (candidate) => candidate.fingerprint === options.fingerprint,
  );
  if (!entry) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `the key ring holds no key ${options.fingerprint}`,
    );
  }
  if (!options.private) return entry.key.toPublic().armor();
  if (entry.key.isDecrypted()) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      `key ${options.fingerprint} is stored without a passphrase and is not exported`,
    );
  }
  return entry.armored;
}

/**
 * Signs a directory folder with the directory authority's key into the one document nodes verify
 * against their trust anchor (GATEWAY_DIRECTORY_FILE).
 */
export async function publishDirectory(options: {
  directory: string;
  signingKeyFile: string;
  passphrase: string;
  issuedAt: Date;
  out: string;
}): Promise<{ issuedAt: string; digest: string; authorities: number }> {
  const directory = await loadDirectory(options.directory);
  const key = await unlockPrivateKey(readKeyFile(options.signingKeyFile), options.passphrase);
  writeFileSync(options.out, await signDirectory(directory, key, options.issuedAt));
  return {
    issuedAt: options.issuedAt.toISOString(),
    digest: directory.digest,
    authorities: directory.all().length,
  };
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, `cannot read the key file ${file}`);
  }
}
