export {
  accountName,
  LocalNetwork,
  repoRoot,
  type LocalNetworkOptions,
  type NodeSpec,
} from './local-network.js';
export * from './scenarios.js';
export { sealThroughPolicy } from './sealing.js';
