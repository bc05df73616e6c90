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
export { FilesModule } from './files.module.js';
export {
  extractStoredText,
  MAX_PDF_BYTES,
  MAX_TEXT_CHARS,
  type StoredText,
} from './text/extract-text.js';
export { loadFilesConfig, type FilesConfig, type FreeSpace } from './uploads/files-config.js';
export { UploadsRepository, type UploadRecord } from './uploads/uploads.repository.js';
export {
  FILES_CONFIG,
  FREE_SPACE,
  UPLOADS_PATH,
  UploadsService,
  type FileActor,
} from './uploads/uploads.service.js';
