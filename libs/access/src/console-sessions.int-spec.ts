import { Test, type TestingModule } from '@nestjs/testing';
import { AuditTrail } from '#libs/audit';
import { Clock, NodeIdentity, SystemClock } from '#libs/node-config';
import { ColumnCipher, DATABASE } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { ConsoleSessions, SESSION_TTL_SECONDS } from './console-sessions.js';
import { UserAccounts } from './user-accounts.repository.js';

/*
 * Console sessions as stored: digests only, capped by the credential's expiry, bound CSRF tokens,
 * sign-out and disabled accounts ending them, both audited.
 */

const FR = 'FR-MOJ-BEPI';
const HOW = { credential: 'token' as const, correlationId: 'c-1', remoteAddress: '127.0.0.1' };

describe('console sessions', () => {
  let database: FreshDatabase;
  let module: TestingModule;
  let sessions: ConsoleSessions;
  let accounts: UserAccounts;

  beforeAll(async () => {
    database = await freshDatabase('console_sessions');
    module = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: database.db },
        { provide: ColumnCipher, useValue: database.cipher },
        { provide: Clock, useValue: new SystemClock() },
        {
          provide: NodeIdentity,
          useValue: { authorityId: FR, hosts: (id: string) => id === FR },
        },
        AuditTrail,
        UserAccounts,
        ConsoleSessions,
      ],
    }).compile();
    sessions = module.get(ConsoleSessions);
    accounts = module.get(UserAccounts);
    await accounts.create(
      [
        { username: 'officer', kind: 'person', authorityId: FR, roles: ['auditor'], jits: [] },
        { username: 'leaver', kind: 'person', authorityId: FR, roles: ['monitor'], jits: [] },
      ],
      'operator@test',
    );
  });

  afterAll(async () => {
    await module?.close();
    await database?.close();
  });

  const principal = async (username: string) => (await accounts.active(username))!;

  it('opens, resolves and ends a session, storing digests only', async () => {
    const opened = await sessions.open(await principal('officer'), undefined, HOW);
    const lifetime = opened.expiresAt.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan((SESSION_TTL_SECONDS - 60) * 1000);
    expect(lifetime).toBeLessThanOrEqual(SESSION_TTL_SECONDS * 1000);

    const rows = await database.db.selectFrom('console_sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(opened.token);
    expect(JSON.stringify(rows)).not.toContain(opened.csrfToken);

    const resolved = await sessions.resolve(opened.token);
    expect(resolved?.principal.username).toBe('officer');
    expect(resolved?.csrfMatches(opened.csrfToken)).toBe(true);
    expect(resolved?.csrfMatches(opened.token)).toBe(false);
    expect(await sessions.resolve('x'.repeat(43))).toBeUndefined();
    expect(await sessions.resolve('not a token')).toBeUndefined();

    expect(await sessions.end(opened.token, resolved!.principal, 'c-2')).toBe(true);
    expect(await sessions.resolve(opened.token)).toBeUndefined();
    // Ending it again changes nothing and records nothing.
    expect(await sessions.end(opened.token, resolved!.principal, 'c-3')).toBe(false);

    const audit = await database.db
      .selectFrom('audit_log')
      .select(['event', 'actor'])
      .where('event', 'in', ['session.opened', 'session.ended'])
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { event: 'session.opened', actor: `officer@${FR}` },
      { event: 'session.ended', actor: `officer@${FR}` },
    ]);
  });

  it('never outlives the credential it was opened with', async () => {
    const soon = new Date(Date.now() + 60_000);
    const opened = await sessions.open(await principal('officer'), soon, HOW);
    expect(opened.expiresAt).toEqual(soon);
    const past = await sessions.open(await principal('officer'), new Date(Date.now() - 1), HOW);
    expect(await sessions.resolve(past.token)).toBeUndefined();
  });

  it('ends with the account: a disabled account has no session', async () => {
    const opened = await sessions.open(await principal('leaver'), undefined, HOW);
    expect(await sessions.resolve(opened.token)).toBeDefined();
    await accounts.disable('leaver', 'admin@test');
    expect(await sessions.resolve(opened.token)).toBeUndefined();
  });
});
