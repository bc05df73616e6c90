export {
  BACKUP_FORMAT,
  packBackup,
  SECRET_VARIABLES,
  unpackBackup,
  type BackupContents,
  type BackupSecret,
  type SecretVariable,
} from './backup-archive.js';
export { backUpNode, type BackupRequest, type BackupWritten } from './back-up-node.js';
export { restoreNode, type NodeRestored, type RestoreRequest } from './restore-node.js';
