import { readFileSync } from 'node:fs';
import { Global, Module } from '@nestjs/common';
import { AuthorityDirectory, loadDirectory } from '#libs/directory';
import { fingerprintOf, unlockPrivateKey } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadNodeConfig, readKeyPassphrase, type NodeConfig } from './node-config.js';
import { Clock, NodeIdentity, OffsetClock, SystemClock } from './node-identity.js';

export const NODE_CONFIG = Symbol('NODE_CONFIG');

async function loadIdentity(
  config: NodeConfig,
  directory: AuthorityDirectory,
): Promise<NodeIdentity> {
  const authority = directory.find(config.authorityId);
  if (!authority) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `this node's authority ${config.authorityId} is not in the directory`,
    );
  }
  let armored: string;
  try {
    armored = readFileSync(config.privateKeyFile, 'utf8');
  } catch {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      `cannot read the private key file ${config.privateKeyFile}`,
    );
  }
  const privateKey = await unlockPrivateKey(armored, readKeyPassphrase());
  if (fingerprintOf(privateKey) !== authority.fingerprint) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `the private key does not match ${authority.id}'s directory fingerprint ${authority.fingerprint}`,
    );
  }
  return new NodeIdentity(authority, privateKey);
}

/** Configuration, directory, identity and clock of this node: loaded and validated once, at start-up. */
@Global()
@Module({
  providers: [
    { provide: NODE_CONFIG, useFactory: () => loadNodeConfig() },
    {
      provide: AuthorityDirectory,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => loadDirectory(config.directoryDir),
    },
    {
      provide: NodeIdentity,
      inject: [NODE_CONFIG, AuthorityDirectory],
      useFactory: loadIdentity,
    },
    {
      provide: Clock,
      useFactory: () => {
        const offsetFile = process.env.GATEWAY_CLOCK_OFFSET_FILE;
        return offsetFile ? new OffsetClock(offsetFile) : new SystemClock();
      },
    },
  ],
  exports: [NODE_CONFIG, AuthorityDirectory, NodeIdentity, Clock],
})
export class NodeModule {}
