export {
  Authority,
  AUTHORITY_KINDS,
  AuthorityDirectory,
  keyEndsAt,
  keyUsableAt,
  normaliseTlsPin,
  REVOCATION_REASONS,
  type AuthorityFields,
  type Competence,
  type AuthorityKind,
  type DirectoryKey,
  type DirectoryVersion,
  type RevocationReason,
} from './authority.js';
export { DirectoryFolder } from './entry-files.js';
export {
  findCompetentAuthorities,
  instrumentFor,
  type FinderMatch,
  type FinderQuery,
  type Instrument,
} from './finder.js';
export { keyExpiryWarnings, type KeyExpiryWarning } from './key-expiry.js';
export { authorityRecord, loadDirectory, type AuthorityRecord } from './load-directory.js';
export {
  DIRECTORY_FORMAT,
  readSignedDirectory,
  readTrustAnchors,
  rollbackRefusal,
  signDirectory,
  type DirectoryDocument,
} from './signed-directory.js';
