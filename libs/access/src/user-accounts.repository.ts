import { randomUUID } from 'node:crypto';
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

/** A service account's API key as listed: never its hash. */
export interface ApiKeyView {
  id: string;
  username: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  /** Within a minute: the last use is written at most once a minute per key. */
  lastUsedAt: string | null;
}

/** What revoking a key did: revoked now, or it already was (nothing written again). */
export type ApiKeyRevocation = ApiKeyView & { outcome: 'revoked' | 'already-revoked' };

/** What a listing reads of a key: everything but its hash. */
const API_KEY_COLUMNS = [
  'api_keys.id',
  'api_keys.username',
  'api_keys.label',
  'api_keys.created_at',
  'api_keys.revoked_at',
  'api_keys.last_used_at',
] as const;

/** How stale a key's recorded last use may get before a request writes it again. */
const LAST_USE_PRECISION_MS = 60_000;

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
      .select('api_keys.last_used_at')
      .where('api_keys.hash', '=', hash)
      .where('api_keys.revoked_at', 'is', null)
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    await this.recordUse(hash, row.last_used_at);
    return toPrincipal(row);
  }

  /**
   * The key's last use, at most once a minute: a service calling in a loop costs one write a
   * minute, not one per request. The condition is repeated in the update so that concurrent
   * requests seeing the same stale time write once.
   */
  private async recordUse(hash: string, lastUsedAt: Date | null): Promise<void> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - LAST_USE_PRECISION_MS);
    if (lastUsedAt && lastUsedAt > staleBefore) return;
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('hash', '=', hash)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', staleBefore)]))
      .execute();
  }

  /** The API keys of an authority's accounts, revoked ones included, newest first. */
  async listApiKeys(authorityId: string): Promise<ApiKeyView[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.username', 'api_keys.username')
      .select(API_KEY_COLUMNS)
      .where('users.authority', '=', authorityId)
      .orderBy('api_keys.created_at', 'desc')
      .orderBy('api_keys.id')
      .execute();
    return rows.map(toApiKeyView);
  }

  /**
   * Revokes a key of the authority's accounts at once: the next request with it is refused.
   * Revoking a revoked key changes nothing and says so (`already-revoked`), like a retry of a
   * delivery already pending. A key of another authority is answered as unknown.
   */
  async revokeApiKey(id: string, authorityId: string, by: string): Promise<ApiKeyRevocation> {
    return this.db.transaction().execute(async (trx) => {
      const key = await trx
        .selectFrom('api_keys')
        .innerJoin('users', 'users.username', 'api_keys.username')
        .select(API_KEY_COLUMNS)
        .where('api_keys.id', '=', id)
        .where('users.authority', '=', authorityId)
        .forUpdate()
        .executeTakeFirst();
      if (!key) {
        throw new GatewayError(ErrorCode.API_KEY_NOT_FOUND, `no API key ${id} in your authority`, [
          { field: 'id' },
        ]);
      }
      if (key.revoked_at) return { ...toApiKeyView(key), outcome: 'already-revoked' };
      const revokedAt = this.clock.now();
      await trx
        .updateTable('api_keys')
        .set({ revoked_at: revokedAt })
        .where('id', '=', id)
        .execute();
      await this.audit.record(
        {
          event: 'api-key.revoked',
          actor: by,
          details: { keyId: id, username: key.username, label: key.label },
        },
        trx,
      );
      return { ...toApiKeyView({ ...key, revoked_at: revokedAt }), outcome: 'revoked' };
    });
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
  async issueApiKey(
    username: string,
    label: string,
    issuedBy: string,
  ): Promise<{ id: string; key: string }> {
    const account = await this.active(username);
    if (!account || account.kind !== 'service') {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `API keys are for active service accounts; ${username} is not one`,
        [{ field: 'username' }],
      );
    }
    const { key, hash } = generateApiKey();
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({ id, hash, username, label, created_at: this.clock.now() })
        .execute();
      await this.audit.record(
        { event: 'api-key.issued', actor: issuedBy, details: { keyId: id, username, label } },
        trx,
      );
    });
    return { id, key };
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

function toApiKeyView(row: {
  id: string;
  username: string;
  label: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}): ApiKeyView {
  return {
    id: row.id,
    username: row.username,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
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
