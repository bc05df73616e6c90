import * as openpgp from 'openpgp';
import { fingerprintOf } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * The whole backup is encrypted to the operator's OpenPGP key: it holds case content, the
 * protected-persons register (H-1) and the node's secrets, confidential under UNTOC 18(20). The
 * archive is not compressed again: pg_dump's custom format already is.
 */
export async function sealForOperator(
  archive: Buffer,
  operatorPublicKeyArmored: string,
): Promise<{ sealed: Buffer; operatorFingerprint: string }> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: operatorPublicKeyArmored });
  } catch {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      'the operator key is not an armored OpenPGP key',
      [{ field: '--operator-key' }],
    );
  }
  const encryptionKeys = key.isPrivate() ? key.toPublic() : key;
  const sealed = await openpgp.encrypt({
    message: await openpgp.createMessage({ binary: new Uint8Array(archive) }),
    encryptionKeys,
    format: 'binary',
    config: { preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
  });
  return { sealed: Buffer.from(sealed), operatorFingerprint: fingerprintOf(key) };
}

/** The operator's private key, unlocked with the passphrase when it has one. */
async function operatorKey(armored: string, passphrase?: string): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      'the operator secret key is not an armored OpenPGP private key',
      [{ field: '--operator-secret-key' }],
    );
  }
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the operator secret key is passphrase-protected: give --passphrase-file',
      [{ field: '--passphrase-file' }],
    );
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch {
    // The passphrase itself is never repeated in an error.
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the passphrase does not unlock the operator secret key',
      [{ field: '--passphrase-file' }],
    );
  }
}

/**
 * Opens a backup with the operator's private key. A backup encrypted to other keys is refused
 * before any decryption (BACKUP_KEY_MISMATCH, naming the key ids it is for); one that does not
 * decrypt with integrity is BACKUP_INVALID.
 */
export async function openWithOperatorKey(
  sealed: Buffer,
  operatorSecretKeyArmored: string,
  passphrase?: string,
): Promise<Buffer> {
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: new Uint8Array(sealed) });
  } catch {
    throw new GatewayError(ErrorCode.BACKUP_INVALID, 'the file is not an OpenPGP message', [
      { field: '--from' },
    ]);
  }
  const key = await operatorKey(operatorSecretKeyArmored, passphrase);
  const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
  const held = new Set(key.getKeyIDs().map((id) => id.toHex().toUpperCase()));
  if (!recipients.some((id) => held.has(id))) {
    throw new GatewayError(
      ErrorCode.BACKUP_KEY_MISMATCH,
      'the backup is not encrypted to this operator key',
      [{ field: '--operator-secret-key', recipients, given: fingerprintOf(key) }],
    );
  }
  try {
    const { data } = await openpgp.decrypt({
      message,
      decryptionKeys: key,
      format: 'binary',
      // Nothing inside is compressed; a forged compressed packet may not grow past this.
      config: { maxDecompressedMessageSize: 2 * sealed.byteLength + 1024 * 1024 },
    });
    return Buffer.from(data);
  } catch {
    throw new GatewayError(
      ErrorCode.BACKUP_INVALID,
      'the backup does not decrypt with integrity: altered or truncated',
      [{ field: '--from' }],
    );
  }
}
