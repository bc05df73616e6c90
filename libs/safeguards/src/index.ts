export {
  asylumView,
  factsAccessOf,
  type FactsAccess,
  type FactsView,
} from './case-facts.access.js';
export {
  CaseFactsRepository,
  type FactsHistoryEntry,
  type RecordedChange,
} from './case-facts.repository.js';
export {
  CaseFactsService,
  type FactsCaller,
  type FactsChangeRequest,
  type FactsHistoryChangeView,
  type FactsHistoryEntryView,
} from './case-facts.service.js';
export {
  applyFactsUpdate,
  type CaseFactsUpdate,
  type PersonFactsUpdate,
} from './case-facts.update.js';
export {
  identifiersAt,
  POLICY_SETTINGS,
  PolicyDecisionPoint,
  type AttachmentForDecision,
  type DecisionRound,
  type DraftForDecision,
} from './policy-decision-point.js';
export { ProtectedPersonsRegister, type RegisterOfficer } from './protected-persons.register.js';
export { readRegisterSecret, REGISTER_SECRET } from './register-secret.js';
export { AnswerRegisterCheck } from './register/answer-register-check.use-case.js';
export { LOCAL_REGISTER, NationalRegister } from './register/national-register.js';
export {
  assertRegisterQuery,
  REGISTER_CHECK_PATH,
  type CheckPurpose,
  type RegisterAnswerDocument,
  type RegisterCheckDocument,
} from './register/register-check.js';
export type { ReviewRow, ReviewStatus } from './register/register.repository.js';
export {
  MAX_REGISTER_DOCUMENT_BYTES,
  REGISTER_DOCUMENT_MAX_AGE_MS,
} from './register/remote-register.client.js';
export { SafeguardsModule } from './safeguards.module.js';
