import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { SMTPServer } from 'smtp-server';
import { UserAccounts } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { ColumnCipher, DATABASE } from '#libs/persistence';
import { PeriodicTasks } from '#libs/scheduling';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { NotificationOutbox } from './notification-outbox.js';
import { NotificationSettings, UpdateNotificationSettings } from './notification-preferences.js';
import { NotificationSender } from './notification-sender.js';

/*
 * Notices written with the event that causes them, and sent to a real SMTP server (smtp-server,
 * started here on a free port): once each, transient refusals retried, permanent ones failed.
 */

const FR = 'FR-MOJ-BEPI';
const OFPRA = 'FR-OFPRA';

interface Received {
  to: string[];
  data: string;
}

class TestClock extends Clock {
  at = new Date('2026-07-01T08:00:00Z');
  now(): Date {
    return new Date(this.at);
  }
}

describe('e-mail notifications', () => {
  let database: FreshDatabase;
  let module: TestingModule;
  let smtp: SMTPServer;
  const received: Received[] = [];
  /** SMTP reply codes to answer the next RCPT TO with, in order (none: accept). */
  const refusals: number[] = [];
  const clock = new TestClock();
  let audit: AuditTrail;
  let sender: NotificationSender;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        const code = refusals.shift();
        if (code === undefined) return callback();
        callback(Object.assign(new Error(`refused with ${code}`), { responseCode: code }));
      },
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((done) => smtp.listen(0, '127.0.0.1', done));
    const port = (smtp.server.address() as AddressInfo).port;

    database = await freshDatabase('notifications');
    const config = {
      notifications: {
        smtpUrl: `smtp://127.0.0.1:${port}`,
        from: 'gateway@fr.example',
        consoleUrl: 'https://gateway.fr.example/console/',
        sendIntervalMs: 60_000,
        maxAttempts: 3,
        retryBaseDelayMs: 30_000,
        retryMaxDelayMs: 600_000,
      },
    } as NodeConfig;
    module = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: database.db },
        { provide: ColumnCipher, useValue: database.cipher },
        { provide: Clock, useValue: clock },
        { provide: NODE_CONFIG, useValue: config },
        { provide: PeriodicTasks, useValue: { register: () => undefined } },
        AuditTrail,
        UserAccounts,
        NotificationOutbox,
        NotificationSender,
        NotificationSettings,
        UpdateNotificationSettings,
      ],
    }).compile();
    await module.init();
    audit = module.get(AuditTrail);
    sender = module.get(NotificationSender);

    const accounts = module.get(UserAccounts);
    const person = (username: string, authorityId: string, roles: string[]) => ({
      username,
      kind: 'person' as const,
      authorityId,
      roles: roles as never,
      jits: [],
    });
    await accounts.create(
      [
        person('fr.admin', FR, ['administrator']),
        person('fr.admin2', FR, ['administrator']),
        person('fr.quiet', FR, ['administrator']),
        person('fr.nomail', FR, ['administrator']),
        person('fr.auditor', FR, ['auditor']),
        person('ofpra.officer', OFPRA, ['asylum-authority-officer']),
      ],
      'operator@test',
    );
    const update = module.get(UpdateNotificationSettings);
    for (const username of ['fr.admin', 'fr.admin2', 'fr.quiet', 'fr.auditor', 'ofpra.officer']) {
      await update.execute((await accounts.active(username))!, {
        email: `${username}@fr.example`,
      });
    }
    await update.execute((await accounts.active('fr.quiet'))!, {
      kinds: [{ kind: 'key-expiring', enabled: false }],
    });
  });

  afterAll(async () => {
    await module?.close();
    await database?.close();
    await new Promise<void>((done) => (smtp ? smtp.close(done) : done()));
  });

  const notices = () =>
    database.db.selectFrom('notifications').selectAll().orderBy('username').execute();

  const keyExpiring = (fingerprint: string) =>
    audit.record({
      event: 'key.expiring',
      actor: 'system',
      details: {
        authorityId: FR,
        owner: 'own',
        fingerprint,
        endsAt: '2026-08-01T00:00:00.000Z',
        reason: 'its validity ends',
      },
    });

  beforeEach(async () => {
    received.length = 0;
    refusals.length = 0;
    await database.db.deleteFrom('notifications').execute();
  });

  it('writes a notice for each user with the role, an address and the kind on, in the event transaction', async () => {
    await keyExpiring('AAAA1111');
    expect((await notices()).map((n) => [n.username, n.kind, n.reference, n.status])).toEqual([
      ['fr.admin', 'key-expiring', 'AAAA1111', 'pending'],
      ['fr.admin2', 'key-expiring', 'AAAA1111', 'pending'],
    ]);
    // The same warning recorded again (the check runs every six hours) adds nothing.
    await keyExpiring('AAAA1111');
    expect(await notices()).toHaveLength(2);

    // An event rolled back leaves no notice.
    await database.db
      .transaction()
      .execute(async (trx) => {
        await audit.record(
          {
            event: 'register.review-opened',
            actor: 'system',
            details: { reviewId: 'rev-rolled-back', owner: OFPRA, caseReference: 'FR-X Okoro' },
          },
          trx,
        );
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    expect((await notices()).filter((n) => n.kind === 'register-hit')).toEqual([]);
  });

  it('sends each notice once, with a reference and a link and no case content', async () => {
    await audit.record({
      event: 'register.review-opened',
      actor: 'system',
      details: { reviewId: 'rev-0001', owner: OFPRA, caseReference: 'FR-PNAT-2026 Okoro' },
    });
    const [round, concurrent] = await Promise.all([sender.sendPending(), sender.sendPending()]);
    expect(round.sent + concurrent.sent).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0].to).toEqual(['ofpra.officer@fr.example']);
    expect(received[0].data).toContain('rev-0001');
    expect(received[0].data).toContain('https://gateway.fr.example/console/#/register');
    expect(received[0].data).not.toMatch(/Okoro|FR-PNAT/);
    expect((await notices()).map((n) => n.status)).toEqual(['sent']);

    expect(await sender.sendPending()).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 0 });
    expect(received).toHaveLength(1);
  });

  it('retries a transient refusal with backoff and fails a permanent one at once', async () => {
    await keyExpiring('BBBB2222');
    refusals.push(451, 550);
    const first = await sender.sendPending();
    expect(first).toEqual({ sent: 0, retried: 1, failed: 1, skipped: 0 });
    const rows = await notices();
    const retried = rows.find((n) => n.status === 'pending')!;
    expect(retried.attempts).toBe(1);
    expect(retried.next_attempt_at.getTime()).toBe(clock.now().getTime() + 30_000);
    expect(retried.last_error).toContain('451');
    expect(rows.find((n) => n.status === 'failed')!.last_error).toContain('550');

    // Not yet due: nothing sent.
    expect((await sender.sendPending()).sent).toBe(0);
    clock.at = new Date(clock.at.getTime() + 30_000);
    expect((await sender.sendPending()).sent).toBe(1);
    expect(received).toHaveLength(1);
  });

  it('skips a notice whose user removed their address before it went out', async () => {
    await keyExpiring('CCCC3333');
    await database.db
      .updateTable('users')
      .set({ email: null })
      .where('username', '=', 'fr.admin2')
      .execute();
    expect(await sender.sendPending()).toEqual({ sent: 1, retried: 0, failed: 0, skipped: 1 });
    expect(received.map((r) => r.to)).toEqual([['fr.admin@fr.example']]);
  });
});
