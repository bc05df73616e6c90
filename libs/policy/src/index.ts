export {
  HARD_BLOCK_IDS,
  isHardBlock,
  isRuleId,
  isWarning,
  RULE_IDS,
  RULES_CATALOGUE,
  WARNING_IDS,
  type HardBlockId,
  type RuleDescription,
  type RuleId,
  type RuleKind,
  type WarningId,
} from './catalogue.js';
export { REQUEST_MESSAGE_TYPES, RETURN_MESSAGE_TYPES } from './context.js';
export type {
  FindingSeverity,
  PolicyDecision,
  PolicyFinding,
  PolicyOutcome,
  Redaction,
  RedactionAction,
  RequiredHandling,
} from './decision.js';
export {
  assertDecisionAllows,
  evaluate,
  policyError,
  ruleIdsOf,
  withRequiredHandling,
} from './engine.js';
export { explain, type ExplainAudience } from './explain.js';
export {
  ASYLUM_STATUSES,
  PROCEEDING_KINDS,
  PROCEEDING_ROLES,
  RISK_ASSESSMENT_OUTCOMES,
  type AsylumFacts,
  type AsylumStatus,
  type CaseFacts,
  type ChildFacts,
  type ConsentFacts,
  type GuardianFacts,
  type JitActionFacts,
  type PersonFacts,
  type ProceedingFacts,
  type RiskAssessmentFacts,
} from './facts.js';
export {
  ASYLUM_AUTHORITY_FACTS,
  classifyFactChanges,
  combineFacts,
  FACT_DIRECTIONS,
  FACT_FIELDS,
  FACT_OWNERS,
  overallDirection,
  personIdentity,
  type FactChange,
  type FactDirection,
  type FactField,
  type FactOwner,
} from './facts-order.js';
export {
  ATTACHMENT_CATEGORIES,
  attachmentField,
  AUTHORITY_KINDS,
  CHANNELS,
  TEXT_TOPICS,
  type Acknowledgement,
  type AttachmentCategory,
  type PolicyAttachment,
  type AuthorityKind,
  type Channel,
  type MessageDeclarations,
  type PartyRef,
  type PersonRef,
  type PolicyInput,
  type RegisterHit,
  type TextFinding,
  type TextTopic,
} from './input.js';
export { personsIn, type NamedPerson } from './persons.js';
export { RULES } from './rules/index.js';
export type { PolicyRule } from './rules/rule.js';
export {
  loadPolicySettings,
  parsePolicySettings,
  type ExtraRule,
  type PolicySettings,
  type RuleSetting,
  type SettingsDocument,
  type SettingsScope,
} from './settings.js';
export {
  assertSealAuthorised,
  authorisePayload,
  SealAuthorisation,
  sealDigestOf,
  type SealablePayload,
} from './token.js';
