export { CaseFactsRepository } from './case-facts.repository.js';
export {
  identifiersAt,
  POLICY_SETTINGS,
  PolicyDecisionPoint,
  type DraftForDecision,
} from './policy-decision-point.js';
export { ProtectedPersonsRegister } from './protected-persons.register.js';
export { readRegisterSecret, REGISTER_SECRET } from './register-secret.js';
export { SafeguardsModule } from './safeguards.module.js';
