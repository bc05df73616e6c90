import { Global, Module } from '@nestjs/common';
import { NODE_CONFIG, NodeIdentity, readSecretFile, type NodeConfig } from '#libs/node-config';
import { Authenticate, TOKEN_SETTINGS } from './authenticate.use-case.js';
import { ConsoleSessions } from './console-sessions.js';
import { tokenSettingsOf } from './credentials.js';
import { RoleGrants } from './role-grants.js';
import { UserAccounts } from './user-accounts.repository.js';

/** Accounts, credentials and the token settings of this node. */
@Global()
@Module({
  providers: [
    {
      provide: TOKEN_SETTINGS,
      inject: [NODE_CONFIG, NodeIdentity],
      useFactory: (config: NodeConfig, identity: NodeIdentity) =>
        tokenSettingsOf(config, identity.authorityId, readTokenSecret()),
    },
    UserAccounts,
    RoleGrants,
    Authenticate,
    ConsoleSessions,
  ],
  exports: [TOKEN_SETTINGS, UserAccounts, RoleGrants, Authenticate, ConsoleSessions],
})
export class AccessModule {}

/** HS256 key of the node's bearer tokens (GATEWAY_TOKEN_SECRET_FILE). */
export function readTokenSecret(env: Record<string, string | undefined> = process.env): Buffer {
  return readSecretFile(
    'GATEWAY_TOKEN_SECRET_FILE',
    'bearer tokens are signed and verified with it',
    32,
    env,
  );
}
