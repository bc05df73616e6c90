export { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';
export { DeliveryModule } from './delivery.module.js';
export { PeerClient, type PeerAnswer } from './peer-client.js';
export { ReconcileOutbox, type ReconciliationReport } from './reconcile-outbox.use-case.js';
export { nextAttemptAt, type RetryPolicy } from './retry-policy.js';
