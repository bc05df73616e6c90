import { ErrorCode, GatewayError } from '#libs/errors';

/** What a caseworker declares a file to be: safeguards read health data and biometrics apart. */
export const FILE_CATEGORIES = [
  'identity-document',
  'photograph',
  'fingerprints',
  'health',
  'evidence-item',
  'translation',
  'other',
] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** One sealed chunk: its size and SHA-256 exactly as sealed (and sent). */
export interface SealedChunkDigest {
  bytes: number;
  sha256: string;
}

/**
 * The manifest of a sealed file, carried inside the signed envelope: it names the file and binds
 * every chunk, in order, by its digest, so that a chunk altered, replayed, reordered or taken from
 * another file is refused before it is decrypted.
 */
export interface FileManifest {
  formatVersion: 1;
  fileId: string;
  name: string;
  mediaType: string;
  category: FileCategory;
  /** Plaintext bytes and their SHA-256 (hex). */
  size: number;
  sha256: string;
  /** Plaintext bytes per chunk; the last chunk holds the rest. */
  chunkBytes: number;
  chunks: SealedChunkDigest[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_CHUNK_BYTES = 1 << 30;

function invalid(field: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.MANIFEST_INVALID, `the file manifest is invalid: ${message}`, [
    { field: `manifest.${field}` },
  ]);
}

/** Checks a manifest received from a peer (inside an envelope whose signature is verified). */
export function parseFileManifest(value: unknown): FileManifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('', 'not an object');
  }
  const m = value as Record<string, unknown>;
  const known = new Set([
    'formatVersion',
    'fileId',
    'name',
    'mediaType',
    'category',
    'size',
    'sha256',
    'chunkBytes',
    'chunks',
  ]);
  for (const key of Object.keys(m)) if (!known.has(key)) throw invalid(key, 'unknown field');
  if (m.formatVersion !== 1) throw invalid('formatVersion', 'must be 1');
  for (const field of ['fileId', 'name', 'mediaType'] as const) {
    const text = m[field];
    if (typeof text !== 'string' || text.length === 0 || text.length > 255) {
      throw invalid(field, 'must be a string of 1 to 255 characters');
    }
  }
  if (!FILE_CATEGORIES.includes(m.category as FileCategory)) {
    throw invalid('category', `must be one of ${FILE_CATEGORIES.join(', ')}`);
  }
  if (!Number.isSafeInteger(m.size) || (m.size as number) < 0) {
    throw invalid('size', 'must be a non-negative integer');
  }
  if (typeof m.sha256 !== 'string' || !SHA256_HEX.test(m.sha256)) {
    throw invalid('sha256', 'must be a lower-case hex SHA-256');
  }
  if (
    !Number.isSafeInteger(m.chunkBytes) ||
    (m.chunkBytes as number) < 1 ||
    (m.chunkBytes as number) > MAX_CHUNK_BYTES
  ) {
    throw invalid('chunkBytes', `must be an integer from 1 to ${MAX_CHUNK_BYTES}`);
  }
  const expectedChunks = chunkCountOf(m.size as number, m.chunkBytes as number);
  if (!Array.isArray(m.chunks) || m.chunks.length !== expectedChunks) {
    throw invalid('chunks', `must list ${expectedChunks} chunks for this size and chunk size`);
  }
  m.chunks.forEach((chunk: unknown, index) => {
    const c = chunk as Record<string, unknown> | null;
    if (
      typeof c !== 'object' ||
      c === null ||
      Object.keys(c).length !== 2 ||
      !Number.isSafeInteger(c.bytes) ||
      (c.bytes as number) < 1 ||
      typeof c.sha256 !== 'string' ||
      !SHA256_HEX.test(c.sha256)
    ) {
      throw invalid(`chunks[${index}]`, 'must be { bytes, sha256 }');
    }
  });
  return m as unknown as FileManifest;
}

/** Chunks of a file: at least one, so that an empty file still travels as one signed message. */
export function chunkCountOf(size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes));
}

/** Plaintext bytes of chunk `index`. */
export function chunkPlaintextBytes(size: number, chunkBytes: number, index: number): number {
  return Math.max(0, Math.min(chunkBytes, size - index * chunkBytes));
}
