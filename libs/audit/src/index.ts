export { AnonymousRefusals } from './anonymous-refusals.js';
export { AuditModule } from './audit.module.js';
export { AuditTrail, type AuditExecutor, type AuditObserver } from './audit-trail.js';
export {
  ChainVerifier,
  GENESIS_HASH,
  hashEntry,
  type AuditEntry,
  type AuditEvent,
  type AuditRecord,
  type ChainBreak,
  type ChainVerification,
} from './chain.js';
export {
  CheckAuditWitnesses,
  type WitnessReport,
} from './witness/check-audit-witnesses.use-case.js';
export { AnswerWitnessQuery } from './witness/answer-witness-query.use-case.js';
export {
  compareWithWitnesses,
  type WitnessComparison,
  type WitnessedHead,
  type WitnessMismatch,
} from './witness/compare-heads.js';
export {
  MAX_HEAD_STATEMENT_BYTES,
  signHeadStatement,
  verifyHeadStatement,
  type AuditHeadStatement,
} from './witness/head-statement.js';
export { PublishAuditHead } from './witness/publish-audit-head.js';
export { ReceiveHeadStatement } from './witness/receive-head-statement.use-case.js';
export {
  MAX_WITNESS_REQUEST_BYTES,
  WITNESS_HEADS_PATH,
  WITNESS_PATH,
  WITNESS_STATEMENT_MEDIA_TYPE,
} from './witness/witness-protocol.js';
export { WitnessRefusals } from './witness/witness-refusals.js';
