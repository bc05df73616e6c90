export {
  openControl,
  sealControl,
  type ControlDocument,
  type ControlOpeningPolicy,
  type ControlSealingKeys,
} from './control.js';
export { sha256Hex } from './digest.js';
export {
  fingerprintOf,
  generateAuthorityKeyPair,
  keyExpiresAt,
  readPublicKey,
  splitArmoredPrivateKeys,
  unlockKeyRing,
  unlockPrivateKey,
  type GeneratedKeyPair,
  type PrivateKey,
  type PublicKey,
} from './keys.js';
export {
  decryptPackets,
  type DecryptionInput,
  type DecryptionOutcome,
  type DecryptPackets,
  type SignatureReport,
} from './decrypt.js';
export { DecryptionPool, type DecryptionPoolOptions } from './decryption-pool.js';
export { openEnvelope, type OpenedEnvelope, type OpeningPolicy } from './open.js';
export { ENVELOPE_STRUCTURE_LIMITS, inspectEnvelopeStructure } from './packet-structure.js';
export {
  canonicalJson,
  PROCEDURES,
  type AttachmentDigest,
  type EnvelopePayload,
  type EnvelopeRouting,
  type HandlingConditions,
  type Procedure,
} from './payload.js';
export { AUTHORITY_ID_PATTERN, parseEnvelopePayload, validationDetails } from './payload-schema.js';
export { checkPayloadLimits, PAYLOAD_LIMITS } from './payload-limits.js';
export {
  signReceipt,
  verifyReceipt,
  type ReceiptDocument,
  type ReceivedAttachment,
  type VerifiedReceipt,
} from './receipt.js';
export { sealEnvelope, type SealingKeys } from './seal.js';
export {
  judgeSignature,
  judgeSignatureReports,
  type SignatureVerdict,
  type SignerKeys,
} from './signer.js';
export {
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  CHUNKS_IN_FLIGHT_MAX,
  CHUNKS_PATH,
  CHUNK_MEDIA_TYPE,
  chunkPath,
  type ChunkProgress,
  readBoundedText,
  RECEIPT_MEDIA_TYPE,
  ROUTING_HEADERS,
} from './transport.js';
