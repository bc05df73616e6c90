export { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';
export { DeliveryModule } from './delivery.module.js';
export { DeliveryOperationsModule } from './delivery-operations.module.js';
export {
  DELIVERY_STATES,
  deliveryStateOf,
  peerReasonOf,
  planRetry,
  statusesOf,
  type DeliveryState,
  type PeerReason,
  type RetryLimits,
  type RetryPlan,
} from './delivery-retry.js';
export {
  ListDeliveries,
  type DeliveryLog,
  type DeliveryQuery,
  type DeliveryView,
  type QueueDepths,
} from './list-deliveries.use-case.js';
export {
  RetryDelivery,
  type RetryDeliveryCommand,
  type RetryDeliveryResult,
} from './retry-delivery.use-case.js';
export { DeliveryProcessor } from './delivery.processor.js';
export {
  MAX_PEER_ANSWER_BYTES,
  PeerClient,
  readPeerAnswer,
  type PeerAnswer,
} from './peer-client.js';
export { classifyPeerAnswer, PERMANENT_REFUSALS, type FailureClass } from './peer-refusals.js';
export { ReconcileOutbox, type ReconciliationReport } from './reconcile-outbox.use-case.js';
export { nextAttemptAt, type RetryPolicy } from './retry-policy.js';
