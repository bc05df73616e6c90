export {
  accountName,
  centralAuthority,
  LocalNetwork,
  repoRoot,
  type LocalNetworkOptions,
  type NodeSpec,
} from './local-network.js';
export * from './scenarios.js';
export { sealThroughPolicy } from './sealing.js';
export { minimalPdf } from './pdf.js';
export { tusUpload, type ApiFetch } from './uploads.js';
