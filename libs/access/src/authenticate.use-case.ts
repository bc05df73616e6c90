import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import { hashApiKey, isApiKey, verifyToken, type TokenSettings } from './credentials.js';
import type { Principal } from './principal.js';
import { UserAccounts } from './user-accounts.repository.js';

export const TOKEN_SETTINGS = Symbol('TOKEN_SETTINGS');

/**
 * Who is calling: a bearer token issued by this node, or a service account's API key. The account
 * is read on every call, so roles, JIT membership and disabling apply at once.
 */
@Injectable()
export class Authenticate {
  constructor(
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly accounts: UserAccounts,
    private readonly identity: NodeIdentity,
  ) {}

  /** The caller, and when their credential lapses (never, for an API key). */
  async execute(
    authorization: string | undefined,
  ): Promise<{ principal: Principal; expiresAt?: Date }> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,4096})$/.exec(authorization ?? '');
    if (!match) {
      throw new GatewayError(
        ErrorCode.UNAUTHENTICATED,
        'send "Authorization: Bearer <token or API key>"',
      );
    }
    const credential = match[1];
    let principal: Principal | undefined;
    let expiresAt: Date | undefined;
    if (isApiKey(credential)) {
      principal = await this.accounts.byApiKeyHash(hashApiKey(credential));
    } else {
      // Credentials live in real time: a node's clock moved for a deadline drill does not age them.
      const claims = await verifyToken(this.settings, credential);
      expiresAt = claims.expiresAt;
      if ('externalIdentity' in claims) {
        const { issuer, subject } = claims.externalIdentity;
        principal = await this.accounts.byExternalIdentity(issuer, subject);
      } else {
        principal = await this.accounts.active(claims.username);
        // A node token names the authority it was issued for; an account moved since must sign in again.
        if (principal && principal.authorityId !== claims.authorityId) principal = undefined;
      }
    }
    if (!principal || !this.identity.hosts(principal.authorityId)) {
      throw new GatewayError(
        ErrorCode.UNAUTHENTICATED,
        'the credential does not belong to an active account of an authority served here',
      );
    }
    return { principal, expiresAt };
  }
}
