export {
  nextMessageTypes,
  applyMessage,
  applySystemEvent,
  initialState,
  type EventInput,
  type MessageInput,
} from './apply-message.js';
export {
  hasBodyField,
  messageTypesOf,
  schemaOf,
  senderRolesOf,
  settledStatusesOf,
  statusesOf,
  type BodyOf,
  type MessageTypeOf,
  type ProcedureState,
  type StateOf,
  type StatusOf,
} from './catalogue.js';
export { Categories, DATA_CATEGORIES, type DataCategory } from './categories.js';
export {
  PERSON_ROLES,
  PersonSchema,
  type MlaRefusalGround,
  type PersonRole,
} from './common.schemas.js';
export {
  SENDER_ROLES,
  SYSTEM_EVENTS,
  type SenderRole,
  type SystemEvent,
} from './procedure-definition.js';
export {
  bodyErrorDetails,
  categoriesOf,
  validateMessageBody,
  type BodyErrorDetail,
} from './validate-message-body.js';
export {
  ASSISTANCE_TYPES,
  EXPLOITATION_FORMS,
  type AssistanceType,
  type ExploitationForm,
} from './mla/mla.schemas.js';
export { MLA_STATUSES, type MlaState, type MlaStatus } from './mla/mla.procedure.js';
export {
  JIT_STATUSES,
  type JitAction,
  type JitState,
  type JitStatus,
} from './jit/jit.procedure.js';
export {
  VERIFICATION_OUTCOMES,
  type VerificationOutcome,
} from './nationality-verification/nationality-verification.schemas.js';
export {
  NATIONALITY_VERIFICATION_STATUSES,
  type NationalityVerificationState,
  type NationalityVerificationStatus,
} from './nationality-verification/nationality-verification.procedure.js';
export { ASSET_REQUEST_KINDS, type AssetRequestKind } from './assets/assets.schemas.js';
export { ASSETS_STATUSES, type AssetsState, type AssetsStatus } from './assets/assets.procedure.js';
export {
  describeMessageForm,
  openingMessageTypesOf,
  type FieldConstraint,
  type FieldDescription,
  type FieldFormat,
  type FieldKind,
  type FieldPresence,
  type FormDescription,
} from './form-description.js';
