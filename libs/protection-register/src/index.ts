export {
  AttachmentTextError,
  extractAttachmentText,
  scanAttachment,
  type AttachmentScan,
  type UnscannableReason,
} from './attachments.js';
export { checkPersons, type PersonCheckHit } from './check-persons.js';
export {
  KEY_KINDS,
  KEY_VERSION,
  personKeys,
  registrationKeys,
  registrationOf,
  type IdentifierKey,
  type KeyKind,
  type PersonDocument,
  type PersonIdentifiers,
  type PersonNames,
  type RegistrationIdentifiers,
} from './identifier-keys.js';
export {
  keyedHash,
  MIN_SECRET_BYTES,
  personHashedKeys,
  personHashes,
  REGISTER_HASH,
  registrationHashes,
  textHashes,
  textHashesInTurns,
  type HashedKey,
} from './keyed-hash.js';
export { initialOf, nameReadings, type NameReading } from './name-readings.js';
export {
  canonicalName,
  consonantSkeleton,
  foldConfusables,
  foldInvisibleAndConfusable,
  foldNameToken,
  NAME_FOLDING_RULES,
  NAME_VARIANTS,
  nameTokens,
  nameWords,
  normaliseDateOfBirth,
  normaliseDocumentNumber,
  normaliseStateCode,
  stripInvisible,
  toLatinLowercase,
  type NormalisedDate,
} from './normalise.js';
export {
  ProtectedPersonsIndex,
  type ProtectedPersonsIndexOptions,
  type RegisterHit,
} from './protected-persons-index.js';
export {
  FOLDING_DOCUMENT,
  parseTermLists,
  SCAN_LANGUAGES,
  TERM_LIST_DOCUMENTS,
  TERM_TOPICS,
  type Folding,
  type NotTerm,
  type ProtectionTerm,
  type ScanLanguage,
  type TermException,
  type TermListDocument,
  type TermLists,
  type TermSource,
  type TermTopic,
} from './protection-terms.js';
export { textPersonKeys } from './text-persons.js';
export {
  bodyTexts,
  createTextScanner,
  DEFAULT_SCANNER,
  PROTECTION_TERMS,
  scanBody,
  scanText,
  TextScanner,
  type BodyFinding,
  type TermFinding,
} from './scanner.js';
