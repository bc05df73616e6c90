import { Global, Module } from '@nestjs/common';
import { AuthorityDirectory } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadKeyRing } from './key-ring.js';
import { loadNodeDirectory } from './node-directory.js';
import { loadNodeConfig, readKeyPassphrase, type NodeConfig } from './node-config.js';
import { Clock, NodeIdentity, OffsetClock, SystemClock } from './node-identity.js';
import { PeerQuestions } from './peer-questions.js';
import { readSetting } from './settings.js';
import { loadTlsMaterial, PeerTransport } from './peer-tls.js';

export const NODE_CONFIG = Symbol('NODE_CONFIG');

async function loadIdentity(
  config: NodeConfig,
  directory: AuthorityDirectory,
  clock: Clock,
): Promise<NodeIdentity> {
  const authority = directory.find(config.authorityId);
  if (!authority) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `this node's authority ${config.authorityId} is not in the directory`,
    );
  }
  const keys = await loadKeyRing(config.privateKeyFile, readKeyPassphrase());
  const now = clock.now();
  // Fails start-up unless the ring holds the key the directory makes current for this authority.
  const current = keys.signingKey(authority, now).fingerprint;
  const hosted = config.hostedAuthorityIds.map((id) => {
    const other = directory.find(id);
    // Hosted authorities are reached at this node's endpoint and open envelopes with its key.
    if (
      !other ||
      other.endpoint !== authority.endpoint ||
      other.currentKey(now)?.fingerprint !== current
    ) {
      throw new GatewayError(
        ErrorCode.CONFIGURATION_INVALID,
        `hosted authority ${id} must be in the directory with this node's endpoint and key`,
      );
    }
    return other;
  });
  return new NodeIdentity(authority, keys, [authority, ...hosted]);
}

/** Configuration, directory, identity and clock of this node: loaded and validated once, at start-up. */
@Global()
@Module({
  providers: [
    { provide: NODE_CONFIG, useFactory: () => loadNodeConfig() },
    {
      provide: AuthorityDirectory,
      inject: [NODE_CONFIG],
      useFactory: loadNodeDirectory,
    },
    {
      provide: NodeIdentity,
      inject: [NODE_CONFIG, AuthorityDirectory, Clock],
      useFactory: loadIdentity,
    },
    {
      provide: PeerTransport,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => new PeerTransport(loadTlsMaterial(config.tls)),
    },
    {
      provide: PeerQuestions,
      inject: [NodeIdentity, Clock, PeerTransport, NODE_CONFIG],
      useFactory: (
        identity: NodeIdentity,
        clock: Clock,
        transport: PeerTransport,
        config: NodeConfig,
      ) => new PeerQuestions(identity, clock, transport, config.inbound.clockSkewMs),
    },
    {
      provide: Clock,
      useFactory: () => {
        const offsetFile = readSetting('GATEWAY_CLOCK_OFFSET_FILE');
        return offsetFile ? new OffsetClock(offsetFile) : new SystemClock();
      },
    },
  ],
  exports: [NODE_CONFIG, AuthorityDirectory, NodeIdentity, Clock, PeerTransport, PeerQuestions],
})
export class NodeModule {}
