export {
  RetentionPolicy,
  type DueFile,
  type DueRequest,
  type FileRecord,
  type RequestRecord,
} from './due.js';
export { loadRetentionProfiles, type LoadedRetention } from './load-profiles.js';
export {
  addPeriod,
  RETENTION_PROCEDURES,
  RETENTION_UNITS,
  type RetentionPeriod,
  type RetentionProcedure,
  type RetentionProfile,
} from './profile.js';
