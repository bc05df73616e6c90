export { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';
export { DeliveryModule } from './delivery.module.js';
export { DeliveryProcessor, deliveryWorkerOptions } from './delivery.processor.js';
export {
  MAX_PEER_ANSWER_BYTES,
  PeerClient,
  readPeerAnswer,
  type PeerAnswer,
} from './peer-client.js';
export { classifyPeerAnswer, PERMANENT_REFUSALS, type FailureClass } from './peer-refusals.js';
export { ReconcileOutbox, type ReconciliationReport } from './reconcile-outbox.use-case.js';
export { nextAttemptAt, type RetryPolicy } from './retry-policy.js';
