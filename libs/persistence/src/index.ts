export { ColumnCipher, DataKey, type SealedColumn } from './column-cipher.js';
export { readDataKeys } from './data-keys.js';
export { createDatabase, migrateToLatest } from './database.js';
export { databaseFaultOf, type DatabaseFault } from './database-faults.js';
export { writeTogether, type WriteExecutor, type JoinedWrite } from './joined-writes.js';
export { caseFactsRowId } from './migrations/0007-case-facts-authority-binding.js';
export {
  caseFactsHistoryRowId,
  procedureFactsRowId,
} from './migrations/0008-case-facts-history.js';
export { visibleTo } from './scope.js';
export { DATABASE, InjectDatabase, PersistenceModule, type Db } from './persistence.module.js';
export type {
  AuditRow,
  CaseFactsHistoryTable,
  DeadlineRow,
  DeadlineTimerRow,
  RequestRow,
  Database,
  EvidenceRow,
  MessageDirection,
  MessageRow,
  NewMessageRow,
  ReceiptRow,
  UploadRow,
  MessageAttachmentRow,
  NotificationRow,
  LegalHoldRow,
  NotificationStatus,
  UploadState,
} from './schema.js';
