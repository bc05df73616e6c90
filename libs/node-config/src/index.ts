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
export { PeerQuestions, type PeerAnswer, type PeerQuestion } from './peer-questions.js';
export {
  certificateMatchesPins,
  loadTlsMaterial,
  PeerTransport,
  type TlsMaterial,
} from './peer-tls.js';
export {
  checkSetting,
  isSet,
  readSetting,
  settingOf,
  SETTING_GROUPS,
  SETTINGS,
  type NodeProcess,
  type Setting,
  type SettingGroup,
  type SettingName,
  type SettingValue,
} from './settings.js';
export {
  CONFIG_DOCS_BEGIN,
  CONFIG_DOCS_END,
  settingsTables,
  withSettingsTables,
} from './settings-docs.js';
