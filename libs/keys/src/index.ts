export { KeyExpiryMonitor } from './key-expiry.monitor.js';
export { KeysModule } from './keys.module.js';
export {
  exportKey,
  importKey,
  publishDirectory,
  revokeKey,
  rotateKey,
  type Rotation,
} from './lifecycle.js';
export { appendToRingFile, readRingFile, type RingEntry } from './ring-file.js';
