import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { NodeIdentity } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';
import { actorOf, type Principal } from './principal.js';
import { UserAccounts } from './user-accounts.repository.js';

/** The session cookie (HttpOnly) and the CSRF cookie the console's script reads and echoes. */
export const SESSION_COOKIE = 'tip_session';
export const CSRF_COOKIE = 'tip_csrf';
/** The header that carries the CSRF token on every state-changing call of a session. */
export const CSRF_HEADER = 'x-csrf-token';
/** How long a console session lives at most; never longer than the credential it was opened with. */
export const SESSION_TTL_SECONDS = 8 * 3600;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface OpenedSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ResolvedSession {
  principal: Principal;
  expiresAt: Date;
  /** Whether a CSRF token presented with this session is its own. */
  csrfMatches(candidate: string): boolean;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Console sessions, kept in PostgreSQL: 256-bit random tokens of which only digests are stored.
 * Sessions live in real time (like credentials: a node's clock moved for a deadline drill does not
 * age them). The account is re-read on every request, as for any credential.
 */
@Injectable()
export class ConsoleSessions {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly accounts: UserAccounts,
    private readonly identity: NodeIdentity,
    private readonly audit: AuditTrail,
  ) {}

  async open(
    principal: Principal,
    credentialExpiresAt: Date | undefined,
    how: { credential: 'api-key' | 'token'; correlationId: string; remoteAddress: string },
  ): Promise<OpenedSession> {
    const now = new Date();
    const longest = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    const expiresAt =
      credentialExpiresAt && credentialExpiresAt < longest ? credentialExpiresAt : longest;
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('console_sessions')
        .values({
          token_sha256: sha256(token),
          csrf_sha256: sha256(csrfToken),
          username: principal.username,
          authority: principal.authorityId,
          created_at: now,
          expires_at: expiresAt,
          ended_at: null,
        })
        .execute();
      // Sessions long over are of no use to anyone: forgotten as new ones open.
      await trx
        .deleteFrom('console_sessions')
        .where('expires_at', '<', new Date(now.getTime() - 86_400_000))
        .execute();
      await this.audit.record(
        {
          event: 'session.opened',
          actor: actorOf(principal),
          correlationId: how.correlationId,
          details: {
            credential: how.credential,
            expiresAt: expiresAt.toISOString(),
            remoteAddress: how.remoteAddress,
          },
        },
        trx,
      );
    });
    return { token, csrfToken, expiresAt };
  }

  /** The session of a cookie, if it is open and its account still active here. */
  async resolve(token: string): Promise<ResolvedSession | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const row = await this.db
      .selectFrom('console_sessions')
      .select(['username', 'authority', 'csrf_sha256', 'expires_at'])
      .where('token_sha256', '=', sha256(token))
      .where('ended_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    if (!row) return undefined;
    const principal = await this.accounts.active(row.username);
    if (
      !principal ||
      principal.authorityId !== row.authority ||
      !this.identity.hosts(principal.authorityId)
    ) {
      return undefined;
    }
    const expected = Buffer.from(row.csrf_sha256, 'hex');
    return {
      principal,
      expiresAt: row.expires_at,
      csrfMatches: (candidate) => timingSafeEqual(Buffer.from(sha256(candidate), 'hex'), expected),
    };
  }

  /** Ends a session (sign-out); a session already over is left as it is. */
  async end(token: string, principal: Principal, correlationId: string): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    return this.db.transaction().execute(async (trx) => {
      const ended = await trx
        .updateTable('console_sessions')
        .set({ ended_at: new Date() })
        .where('token_sha256', '=', sha256(token))
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      if (ended.numUpdatedRows === 0n) return false;
      await this.audit.record(
        { event: 'session.ended', actor: actorOf(principal), correlationId, details: {} },
        trx,
      );
      return true;
    });
  }
}
