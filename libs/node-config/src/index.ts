export {
  loadNodeConfig,
  readKeyPassphrase,
  readSecretFile,
  redisKeyPrefix,
  type NodeConfig,
} from './node-config.js';
export { loadKeyRing, NodeKeyRing } from './key-ring.js';
export { Clock, NodeIdentity, OffsetClock, SystemClock } from './node-identity.js';
export { NODE_CONFIG, NodeModule } from './node.module.js';
export {
  certificateMatchesPins,
  loadTlsMaterial,
  PeerTransport,
  type TlsMaterial,
} from './peer-tls.js';
