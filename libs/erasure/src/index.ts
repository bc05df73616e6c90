export {
  EraseDueContent,
  ERASURE_SETTINGS,
  type ErasureOutcome,
  type ErasureSettings,
} from './erase-due-content.use-case.js';
export { erasedPayload, ErasureRepository } from './erasure.repository.js';
export { LegalHoldsModule, RetentionWorkerModule } from './erasure.module.js';
export {
  LEGAL_HOLD_BASIS,
  LegalHolds,
  type HoldCaller,
  type HoldTarget,
  type LegalHoldView,
} from './legal-holds.js';
export { loadNodeRetention, RETENTION } from './retention-profiles.js';
