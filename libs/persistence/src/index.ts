export { ColumnCipher, type SealedColumn } from './column-cipher.js';
export { readDataKeys } from './data-keys.js';
export { createDatabase, migrateToLatest } from './database.js';
export { databaseFaultOf, type DatabaseFault } from './database-faults.js';
export { caseFactsRowId } from './migrations/0007-case-facts-authority-binding.js';
export { visibleTo } from './scope.js';
export { DATABASE, InjectDatabase, PersistenceModule, type Db } from './persistence.module.js';
export type {
  AuditRow,
  DeadlineRow,
  RequestRow,
  Database,
  EvidenceRow,
  MessageDirection,
  MessageRow,
  NewMessageRow,
  ReceiptRow,
} from './schema.js';
