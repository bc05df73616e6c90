import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';
import { actorOf, type Principal } from './principal.js';
import { needsApproval, type Role } from './roles.js';
import type { NewAccount } from './user-accounts.repository.js';

export interface RoleGrant {
  id: string;
  username: string;
  authorityId: string;
  roles: Role[];
  status: 'pending' | 'approved' | 'refused';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

/** An account as it stands after a request: its active roles and what awaits approval. */
export interface AccountChange {
  username: string;
  kind: Principal['kind'];
  authorityId: string;
  roles: Role[];
  jits: string[];
  /** Roles that take effect only once another administrator approves. */
  pendingGrant?: { id: string; roles: Role[] };
}

/**
 * Separation of duties for administrators (domain.md 1): the roles that open case content, the
 * register, the audit trail or account management (ROLES_NEEDING_APPROVAL) are requested by one
 * administrator and take effect only when another administrator of the same authority, a person,
 * approves. Nobody requests roles for their own account or decides their own request. Every step
 * is audited: role-grant.requested, role-grant.approved, role-grant.refused.
 */
@Injectable()
export class RoleGrants {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Creates an account with the roles granted at once; the others become a pending grant. */
  async createAccount(account: NewAccount, requester: Principal): Promise<AccountChange> {
    const direct = account.roles.filter((role) => !needsApproval(role));
    const pending = account.roles.filter(needsApproval);
    const by = actorOf(requester);
    return this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const inserted = await trx
        .insertInto('users')
        .values({
          username: account.username,
          kind: account.kind,
          authority: account.authorityId,
          roles: direct,
          jits: account.jits,
          external_issuer: account.externalIdentity?.issuer ?? null,
          external_subject: account.externalIdentity?.subject ?? null,
          created_at: now,
          created_by: by,
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
          actor: by,
          details: {
            username: account.username,
            kind: account.kind,
            authority: account.authorityId,
            roles: direct,
            pendingRoles: pending,
            jits: account.jits,
          },
        },
        trx,
      );
      const grant = pending.length > 0 ? await this.request(trx, account, pending, by) : undefined;
      return {
        username: account.username,
        kind: account.kind,
        authorityId: account.authorityId,
        roles: direct,
        jits: account.jits,
        ...(grant && { pendingGrant: { id: grant, roles: pending } }),
      };
    });
  }

  /**
   * Sets an account's roles: roles taken away, and roles granted at once, apply now; roles that
   * need approval become a pending grant.
   */
  async changeRoles(username: string, roles: Role[], requester: Principal): Promise<AccountChange> {
    if (username === requester.username) {
      throw new GatewayError(
        ErrorCode.SEPARATION_OF_DUTIES,
        'nobody changes the roles of their own account',
        [{ field: 'username', rule: 'separation of duties' }],
      );
    }
    const by = actorOf(requester);
    return this.db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom('users')
        .selectAll()
        .where('username', '=', username)
        .where('authority', '=', requester.authorityId)
        .where('disabled_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!account) {
        throw new GatewayError(
          ErrorCode.VALIDATION_FAILED,
          `no active account ${username} in your authority`,
          [{ field: 'username' }],
        );
      }
      const current = account.roles as Role[];
      const wanted = [...new Set(roles)];
      const removed = current.filter((role) => !wanted.includes(role));
      const added = wanted.filter((role) => !current.includes(role));
      const direct = added.filter((role) => !needsApproval(role));
      const pending = added.filter(needsApproval);
      const active = [...current.filter((role) => !removed.includes(role)), ...direct];
      if (removed.length > 0 || direct.length > 0) {
        await trx
          .updateTable('users')
          .set({ roles: active })
          .where('username', '=', username)
          .execute();
        await this.audit.record(
          { event: 'user.roles-changed', actor: by, details: { username, removed, added: direct } },
          trx,
        );
      }
      const grant =
        pending.length > 0
          ? await this.request(trx, { username, authorityId: account.authority }, pending, by)
          : undefined;
      return {
        username,
        kind: account.kind,
        authorityId: account.authority,
        roles: active,
        jits: account.jits,
        ...(grant && { pendingGrant: { id: grant, roles: pending } }),
      };
    });
  }

  list(authorityId: string, status?: RoleGrant['status']): Promise<RoleGrant[]> {
    let query = this.db
      .selectFrom('role_grants')
      .selectAll()
      .where('authority', '=', authorityId)
      .orderBy('requested_at')
      .limit(1000);
    if (status) query = query.where('status', '=', status);
    return query.execute().then((rows) => rows.map(toGrant));
  }

  /** Another administrator of the authority, a person, approves: the roles take effect at once. */
  approve(id: string, approver: Principal): Promise<RoleGrant> {
    return this.decide(id, approver, 'approved', null);
  }

  refuse(id: string, approver: Principal, reason: string): Promise<RoleGrant> {
    return this.decide(id, approver, 'refused', reason);
  }

  private async decide(
    id: string,
    approver: Principal,
    decision: 'approved' | 'refused',
    reason: string | null,
  ): Promise<RoleGrant> {
    const by = actorOf(approver);
    return this.db.transaction().execute(async (trx) => {
      const grant = await trx
        .selectFrom('role_grants')
        .selectAll()
        .where('id', '=', id)
        .where('authority', '=', approver.authorityId)
        .where('status', '=', 'pending')
        .forUpdate()
        .executeTakeFirst();
      if (!grant) {
        throw new GatewayError(
          ErrorCode.ROLE_GRANT_NOT_FOUND,
          `no pending role grant ${id} in your authority`,
          [{ field: 'id' }],
        );
      }
      const refusal =
        grant.requested_by === by
          ? 'a role grant is decided by another administrator than the one who requested it'
          : grant.username === approver.username
            ? 'nobody decides a role grant for their own account'
            : approver.kind !== 'person'
              ? 'a role grant is decided by a person, not a service account'
              : undefined;
      if (refusal) {
        throw new GatewayError(ErrorCode.SEPARATION_OF_DUTIES, refusal, [
          { field: 'id', rule: 'separation of duties' },
        ]);
      }
      const now = this.clock.now();
      if (decision === 'approved') {
        const updated = await trx
          .updateTable('users')
          .set({
            roles: sql<
              string[]
            >`array(select distinct unnest(roles || ${grant.roles}::text[]) order by 1)`,
          })
          .where('username', '=', grant.username)
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            `${grant.username} is no longer an active account: refuse the grant instead`,
            [{ field: 'id' }],
          );
        }
      }
      const decided = await trx
        .updateTable('role_grants')
        .set({ status: decision, decided_by: by, decided_at: now, reason })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit.record(
        {
          event: decision === 'approved' ? 'role-grant.approved' : 'role-grant.refused',
          actor: by,
          details: {
            grant: id,
            username: grant.username,
            roles: grant.roles,
            requestedBy: grant.requested_by,
            ...(reason !== null && { reason }),
          },
        },
        trx,
      );
      return toGrant(decided);
    });
  }

  private async request(
    trx: Db,
    account: { username: string; authorityId: string },
    roles: Role[],
    by: string,
  ): Promise<string> {
    const id = randomUUID();
    await trx
      .insertInto('role_grants')
      .values({
        id,
        username: account.username,
        authority: account.authorityId,
        roles,
        status: 'pending',
        requested_by: by,
        requested_at: this.clock.now(),
      })
      .execute();
    await this.audit.record(
      {
        event: 'role-grant.requested',
        actor: by,
        details: { grant: id, username: account.username, roles },
      },
      trx,
    );
    return id;
  }
}

function toGrant(row: {
  id: string;
  username: string;
  authority: string;
  roles: string[];
  status: RoleGrant['status'];
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
}): RoleGrant {
  return {
    id: row.id,
    username: row.username,
    authorityId: row.authority,
    roles: row.roles as Role[],
    status: row.status,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
  };
}
