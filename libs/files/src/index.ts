export {
  EncryptedFileReader,
  EncryptedFileWriter,
  storedSizeOf,
} from './at-rest/encrypted-file.js';
export { FileAssembler, type AssembledFile, type AssemblyTarget } from './open/file-assembler.js';
export { openSealedChunk, type ChunkOpeningKeys, type OpenedChunk } from './open/open-chunk.js';
export {
  chunkCountOf,
  DEFAULT_CHUNK_BYTES,
  FILE_CATEGORIES,
  parseFileManifest,
  type FileCategory,
  type FileManifest,
  type SealedChunkDigest,
} from './seal/manifest.js';
export {
  chunkFileName,
  sealFile,
  type FileSealingKeys,
  type FileToSeal,
  type PlaintextSource,
  type SealFileOptions,
} from './seal/seal-file.js';
export { SealWorkerPool } from './seal/worker-pool.js';
