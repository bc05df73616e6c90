import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { fingerprintOf, readPublicKey, sha256Hex, type PrivateKey } from '#libs/envelope';
import type { AuthorityDirectory, DirectoryVersion } from './authority.js';
import { authorityRecord, buildDirectory, type AuthorityRecord } from './load-directory.js';

export const DIRECTORY_FORMAT = 'tip-gateway-directory/1';

/** The signed form of the directory: every authority with its keys inline, and when it was issued. */
export interface DirectoryDocument {
  format: typeof DIRECTORY_FORMAT;
  /** Orders documents: a node refuses one issued before the latest it accepted (rollback). */
  issuedAt: string;
  authorities: AuthorityRecord[];
}

/**
 * The directory as one cleartext-signed JSON document, signed by the directory authority's key:
 * readable as is, `gpg --verify` checks it (as X-Road distributes its signed global configuration).
 */
export async function signDirectory(
  directory: AuthorityDirectory,
  signingKey: PrivateKey,
  issuedAt: Date,
): Promise<string> {
  const document: DirectoryDocument = {
    format: DIRECTORY_FORMAT,
    issuedAt: issuedAt.toISOString(),
    authorities: directory.all().map(authorityRecord),
  };
  // Indented: GnuPG refuses cleartext lines of 20,000 characters or more.
  const message = await openpgp.createCleartextMessage({
    text: JSON.stringify(document, null, 2),
  });
  return openpgp.sign({ message, signingKeys: signingKey, format: 'armored' });
}

const ARMORED_PUBLIC_KEY =
  /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;

/** The directory authority's public keys that a node trusts: one or more armored blocks. */
export async function readTrustAnchors(armored: string): Promise<openpgp.PublicKey[]> {
  const blocks = armored.match(ARMORED_PUBLIC_KEY) ?? [];
  if (blocks.length === 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      'the directory trust anchor file holds no armored OpenPGP public key',
    );
  }
  try {
    return await Promise.all(blocks.map((block) => readPublicKey(block)));
  } catch {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      'the directory trust anchor file holds something other than OpenPGP public keys',
    );
  }
}

/**
 * Verifies a signed directory document against the trust anchors, then validates it as a directory
 * folder is validated. Every signature must be a trust anchor's (DIRECTORY_SIGNER_UNKNOWN) and
 * valid (DIRECTORY_SIGNATURE_INVALID); nothing of the content is read before that.
 */
export async function readSignedDirectory(
  armored: string,
  trustAnchors: readonly openpgp.PublicKey[],
  where: string,
): Promise<AuthorityDirectory> {
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
  } catch {
    throw new GatewayError(
      ErrorCode.DIRECTORY_SIGNATURE_INVALID,
      `${where} is not a cleartext-signed OpenPGP document`,
    );
  }
  const signers = message.getSigningKeyIDs();
  const unknown = signers.filter(
    (keyID) => !trustAnchors.some((anchor) => anchor.getKeys(keyID).length > 0),
  );
  if (signers.length === 0 || unknown.length > 0) {
    throw new GatewayError(
      ErrorCode.DIRECTORY_SIGNER_UNKNOWN,
      `${where} is signed by ${unknown.map((id) => `key ID ${id.toHex().toUpperCase()}`).join(', ') || 'nobody'}, not by a configured directory trust anchor`,
    );
  }
  const { signatures } = await openpgp.verify({
    message,
    verificationKeys: [...trustAnchors],
  });
  const verified = await Promise.all(
    signatures.map((signature) =>
      signature.verified.then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!verified.every(Boolean)) {
    throw new GatewayError(
      ErrorCode.DIRECTORY_SIGNATURE_INVALID,
      `${where} does not carry a valid signature of the directory trust anchor`,
    );
  }
  const text = message.getText();
  let document: Partial<DirectoryDocument>;
  try {
    document = JSON.parse(text) as Partial<DirectoryDocument>;
  } catch {
    throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, `${where} does not hold JSON`);
  }
  const issuedAt = new Date(String(document.issuedAt));
  if (
    document.format !== DIRECTORY_FORMAT ||
    Number.isNaN(issuedAt.getTime()) ||
    !Array.isArray(document.authorities)
  ) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `${where} is not a ${DIRECTORY_FORMAT} document (format, issuedAt, authorities)`,
    );
  }
  const signer = trustAnchors.find((anchor) => anchor.getKeys(signers[0]).length > 0)!;
  const version: DirectoryVersion = {
    issuedAt,
    signer: fingerprintOf(signer),
    documentSha256: sha256Hex(text),
  };
  return buildDirectory(
    document.authorities.map((entry, index) => ({
      file: `${where}#authorities.${index}`,
      document: entry,
    })),
    'document',
    where,
    version,
  );
}

/**
 * Why a directory document must be refused as a rollback to an older one, if it must: issued
 * before the latest accepted, or issued at the same time with a different content.
 */
export function rollbackRefusal(
  accepted: DirectoryVersion | undefined,
  candidate: DirectoryVersion,
): string | undefined {
  if (!accepted) return undefined;
  const was = `the directory already accepted was issued ${accepted.issuedAt.toISOString()}`;
  if (candidate.issuedAt < accepted.issuedAt) {
    return `this directory was issued ${candidate.issuedAt.toISOString()}, but ${was}: refused as a rollback`;
  }
  if (
    candidate.issuedAt.getTime() === accepted.issuedAt.getTime() &&
    candidate.documentSha256 !== accepted.documentSha256
  ) {
    return `this directory differs from the one already accepted with the same issue time (${candidate.issuedAt.toISOString()}): a new directory needs a later issuedAt`;
  }
  return undefined;
}
