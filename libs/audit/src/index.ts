export { AnonymousRefusals } from './anonymous-refusals.js';
export { AuditModule } from './audit.module.js';
export { AuditTrail } from './audit-trail.js';
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
