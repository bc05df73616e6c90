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
  type DraftForDecision,
} from './policy-decision-point.js';
export { ProtectedPersonsRegister } from './protected-persons.register.js';
export { readRegisterSecret, REGISTER_SECRET } from './register-secret.js';
export { SafeguardsModule } from './safeguards.module.js';
