import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * Columns that hold case content about persons (decrypted payloads, what the procedures and
 * clocks derive from them, the case facts) and are therefore sealed at rest.
 */
export type SealedColumn =
  | 'messages.payload'
  | 'requests.state'
  | 'requests.suggested_deadline'
  | 'deadlines.clock'
  | 'case_facts.facts'
  | 'register_reviews.reason'
  | 'held_submissions.draft'
  | 'supervised_submissions.draft'
  | 'supervised_submissions.explanations'
  | 'supervised_submissions.reason'
  | 'case_facts_history.change'
  | 'uploads.name'
  | 'message_attachments.manifest'
  | 'legal_holds.reason'
  | 'legal_holds.release_reason'
  | 'audit_log.annex';

export const DATA_KEY_BYTES = 32;
const FORMAT_VERSION = 1;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** version (1) | key id (8) | IV (12), then the ciphertext and the GCM tag (16). */
const HEADER_BYTES = 1 + KEY_ID_BYTES + IV_BYTES;
const HKDF_SALT = 'tip-gateway/at-rest';

/**
 * A data key as the file holds it (32 random bytes), turned into an AES-256-GCM key and a public
 * key id. Both are derived (HKDF) so that the id, written into every ciphertext, says nothing about
 * the key; the raw bytes are not kept.
 */
export class DataKey {
  readonly id: string;
  readonly #idBytes: Buffer;
  readonly #key: KeyObject;

  constructor(material: Uint8Array) {
    if (material.byteLength !== DATA_KEY_BYTES) {
      throw new GatewayError(
        ErrorCode.CONFIGURATION_INVALID,
        `a data key is exactly ${DATA_KEY_BYTES} bytes, not ${material.byteLength}`,
      );
    }
    this.#key = createSecretKey(
      Buffer.from(hkdfSync('sha256', material, HKDF_SALT, 'aes-256-gcm', DATA_KEY_BYTES)),
    );
    this.#idBytes = Buffer.from(hkdfSync('sha256', material, HKDF_SALT, 'key-id', KEY_ID_BYTES));
    this.id = this.#idBytes.toString('hex');
  }

  /** The AES-256-GCM key itself: files at rest are sealed record by record with it (libs/files). */
  get secretKey(): KeyObject {
    return this.#key;
  }

  /** The id as written into ciphertexts. */
  get idBytes(): Buffer {
    return Buffer.from(this.#idBytes);
  }

  encrypt(iv: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /** Throws when the tag does not verify. */
  decrypt(iv: Buffer, aad: Buffer, ciphertextAndTag: Buffer): Buffer {
    const split = ciphertextAndTag.byteLength - TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(ciphertextAndTag.subarray(split));
    return Buffer.concat([decipher.update(ciphertextAndTag.subarray(0, split)), decipher.final()]);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

/**
 * Authenticated encryption of a column value (AES-256-GCM). The associated data names the column
 * and the row, so that a ciphertext copied to another row or column does not open; the header
 * names the key, so that keys can be rotated: new values are sealed with the current key, values
 * sealed with a retired key still open.
 */
export class ColumnCipher {
  readonly #current: DataKey;
  readonly #keys: ReadonlyMap<string, DataKey>;

  constructor(current: DataKey, retired: readonly DataKey[] = []) {
    this.#current = current;
    this.#keys = new Map([...retired, current].map((key) => [key.id, key]));
  }

  get currentKeyId(): string {
    return this.#current.id;
  }

  /** The key new data is sealed with (files at rest use it too: libs/files). */
  get currentKey(): DataKey {
    return this.#current;
  }

  /** The current or a retired key by its id; undefined if it is not configured. */
  keyById(id: string): DataKey | undefined {
    return this.#keys.get(id);
  }

  /** Every key id that opens, the current one first. */
  get keyIds(): string[] {
    return [this.#current.id, ...[...this.#keys.keys()].filter((id) => id !== this.#current.id)];
  }

  /** Seals a JSON value for one column of one row. */
  seal(column: SealedColumn, rowId: string, value: unknown): Buffer {
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(FORMAT_VERSION, 0);
    this.#current.idBytes.copy(header, 1);
    randomBytes(IV_BYTES).copy(header, 1 + KEY_ID_BYTES);
    const body = this.#current.encrypt(
      ivOf(header),
      associatedData(header, column, rowId),
      Buffer.from(JSON.stringify(value), 'utf8'),
    );
    return Buffer.concat([header, body]);
  }

  /** Opens what `seal` made for the same column and row; anything else is refused. */
  open<T = unknown>(column: SealedColumn, rowId: string, sealed: Uint8Array): T {
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (data.byteLength < HEADER_BYTES + TAG_BYTES || data.readUInt8(0) !== FORMAT_VERSION) {
      throw unreadable(column, rowId, 'it is not in the sealed format');
    }
    const header = data.subarray(0, HEADER_BYTES);
    const keyId = header.subarray(1, 1 + KEY_ID_BYTES).toString('hex');
    const key = this.#keys.get(keyId);
    if (!key) {
      throw unreadable(
        column,
        rowId,
        `it is sealed with data key ${keyId}, which is neither GATEWAY_DATA_KEY_FILE nor in GATEWAY_DATA_KEY_RETIRED_FILES`,
      );
    }
    let plaintext: Buffer;
    try {
      plaintext = key.decrypt(
        ivOf(header),
        associatedData(header, column, rowId),
        data.subarray(HEADER_BYTES),
      );
    } catch {
      throw unreadable(column, rowId, 'it was altered, or it belongs to another row or column');
    }
    return JSON.parse(plaintext.toString('utf8')) as T;
  }

  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }
}

function ivOf(header: Buffer): Buffer {
  return header.subarray(1 + KEY_ID_BYTES, HEADER_BYTES);
}

/** The header (version and key id) and the cell the value belongs to. */
function associatedData(header: Buffer, column: SealedColumn, rowId: string): Buffer {
  return Buffer.concat([
    header.subarray(0, 1 + KEY_ID_BYTES),
    Buffer.from(`${column}\u0000${rowId}`, 'utf8'),
  ]);
}

function unreadable(column: SealedColumn, rowId: string, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.STORED_DATA_UNREADABLE,
    `${column} of ${rowId} cannot be opened: ${why}`,
  );
}
