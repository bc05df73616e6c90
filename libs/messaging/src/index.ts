export { ForwardMessage, type ForwardDraft } from './forward-message.use-case.js';
export { AnswerRequest, type AnswerDraft } from './answer-request.use-case.js';
export {
  DELIVERY_QUEUE,
  DeliveryQueue,
  type DeliveryJobData,
  type DeliveryJobs,
} from './delivery-queue.js';
export {
  assertTransition,
  canTransition,
  INBOUND_STATUSES,
  isFinal,
  OUTBOUND_STATUSES,
  PENDING_OUTBOUND,
  type MessageStatus,
} from './message-status.js';
export {
  contentErasureOf,
  MessageRepository,
  type ContentErasure,
  type DeliveryClaim,
  type KeptEnvelope,
  type MessageFilter,
  type Trx,
} from './message.repository.js';
export { MessagingModule, SendingModule } from './messaging.module.js';
export {
  GetMessage,
  ListMessages,
  MarkMessageRead,
  toView,
  type MessageDetail,
  type MessageView,
} from './read-message.use-case.js';
export {
  ReceiveEnvelope,
  type InboundContext,
  type InboundResult,
} from './receive-envelope.use-case.js';
export {
  SubmitMessage,
  type MessageDraft,
  type SubmissionAccepted,
  type SubmissionContext,
  type SubmissionHeld,
  type SubmissionOptions,
  type SubmissionPreview,
} from './submit-message.use-case.js';
export { ReleaseHeldSubmissions } from './release-held-submissions.js';
export { idempotencyOf, type Idempotency } from './idempotency-keys.repository.js';
export {
  HeldSubmissionsRepository,
  type HeldStatus,
  type HeldSubmissionView,
} from './held-submissions.repository.js';
export {
  MessageAttachmentsRepository,
  type MessageAttachment,
} from './attachments/message-attachments.repository.js';
export {
  OutboundAttachments,
  outboundChunksDir,
  type AttachmentRef,
  type ResolvedAttachment,
} from './attachments/outbound-attachments.js';
export {
  InboundChunks,
  inboundChunksDir,
  inboundFileOf,
  manifestOf,
  progressOf,
  type ChunkContext,
} from './attachments/inbound-chunks.js';
export { ReadAttachment, type OpenedAttachment } from './attachments/read-attachment.js';
export {
  SupervisedSubmissionsRepository,
  type SupervisedStatus,
  type SupervisedSubmissionDetail,
  type SupervisedSubmissionView,
} from './supervised-submissions.repository.js';
export { SuperviseSubmissions, type SupervisorContext } from './supervise-submissions.use-case.js';
export {
  awaitsSupervisor,
  checkDecider,
  checkJustifications,
  checkReason,
  isRefusal,
  SIGN_OFF,
  signOffOf,
  waitingWarnings,
  type SupervisedWarning,
  type WarningJustification,
} from './supervision.js';
