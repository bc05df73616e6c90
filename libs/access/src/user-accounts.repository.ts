import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';
import { generateApiKey } from './credentials.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';

export interface NewAccount {
  username: string;
  kind: Principal['kind'];
  authorityId: string;
  roles: Role[];
  jits: string[];
  /** For accounts signed in through the identity provider: its issuer and the user's subject. */
  externalIdentity?: { issuer: string; subject: string };
}

/** People's and services' accounts and the service accounts' API keys. */
@Injectable()
export class UserAccounts {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates accounts in one transaction, with their roles at once: all of them, or none if one
   * name is taken. The operator's bootstrap path (`users import`); administrators go through
   * RoleGrants, where the roles that need it wait for a second administrator.
   */
  async create(accounts: readonly NewAccount[], createdBy: string): Promise<Principal[]> {
    await this.db.transaction().execute(async (trx) => {
      for (const account of accounts) {
        const inserted = await trx
          .insertInto('users')
          .values({
            username: account.username,
            kind: account.kind,
            authority: account.authorityId,
            roles: account.roles,
            jits: account.jits,
            external_issuer: account.externalIdentity?.issuer ?? null,
            external_subject: account.externalIdentity?.subject ?? null,
            created_at: this.clock.now(),
            created_by: createdBy,
          })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (inserted.numInsertedOrUpdatedRows === 0n) {
          throw new GatewayError(
            ErrorCode.USER_EXISTS,
            `user ${account.username} (or its external identity) already exists`,
            [{ field: 'username' }],
          );
        }
        await this.audit.record(
          {
            event: 'user.created',
            actor: createdBy,
            details: {
              username: account.username,
              kind: account.kind,
              authority: account.authorityId,
              roles: account.roles,
              jits: account.jits,
            },
          },
          trx,
        );
      }
    });
    return accounts.map((account) => ({ ...account }));
  }

  /** An active account, or undefined if there is none or it is disabled. */
  async active(username: string): Promise<Principal | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return row && toPrincipal(row);
  }

  /** The active account of an identity provider's user: issuer and subject, both stable and unique. */
  async byExternalIdentity(issuer: string, subject: string): Promise<Principal | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('external_issuer', '=', issuer)
      .where('external_subject', '=', subject)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    return row && toPrincipal(row);
  }

  async byApiKeyHash(hash: string): Promise<Principal | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.username', 'api_keys.username')
      .selectAll('users')
      .where('api_keys.hash', '=', hash)
      .where('api_keys.revoked_at', 'is', null)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    return row && toPrincipal(row);
  }

  async list(authorityIds: readonly string[]): Promise<Principal[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('authority', 'in', authorityIds)
      .where('disabled_at', 'is', null)
      .orderBy('username')
      .execute();
    return rows.map(toPrincipal);
  }

  /** Issues an API key for a service account; the key is shown once and only its hash is kept. */
  async issueApiKey(username: string, label: string, issuedBy: string): Promise<string> {
    const account = await this.active(username);
    if (!account || account.kind !== 'service') {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `API keys are for active service accounts; ${username} is not one`,
        [{ field: 'username' }],
      );
    }
    const { key, hash } = generateApiKey();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({ hash, username, label, created_at: this.clock.now() })
        .execute();
      await this.audit.record(
        { event: 'api-key.issued', actor: issuedBy, details: { username, label } },
        trx,
      );
    });
    return key;
  }

  async disable(username: string, by: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ disabled_at: this.clock.now() })
        .where('username', '=', username)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return false;
      await this.audit.record({ event: 'user.disabled', actor: by, details: { username } }, trx);
      return true;
    });
  }
}

function toPrincipal(row: {
  username: string;
  kind: Principal['kind'];
  authority: string;
  roles: string[];
  jits: string[];
}): Principal {
  return {
    username: row.username,
    kind: row.kind,
    authorityId: row.authority,
    roles: row.roles as Role[],
    jits: row.jits,
  };
}
