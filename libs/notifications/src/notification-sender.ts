import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { InjectDatabase, type Db, type NotificationRow } from '#libs/persistence';
import { PeriodicTasks } from '#libs/scheduling';
import { composeMail } from './mail-content.js';

/** A claimed notice whose outcome was never written (the process died mid-send) after this long. */
const CLAIM_TIMEOUT_MS = 10 * 60_000;
const BATCH = 50;

export interface SendRound {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** An SMTP reply of class 5 is the relay's final word on that mail; anything else may pass later. */
export function isPermanent(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  return typeof responseCode === 'number' && responseCode >= 500 && code !== 'EAUTH';
}

/** Exponential backoff from the attempt that failed (1, 2, ...), capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends the outbox: a node task (one process of the node at a time), claiming due notices with
 * `FOR UPDATE SKIP LOCKED` and marking each `sending` before the mail goes out, so that no notice
 * is ever sent twice: a notice left `sending` by a process that died mid-send is given up as
 * `failed` rather than sent again (at most once; the mail's Message-ID is the notice's id, for
 * relays that deduplicate). Transient SMTP failures (no connection, a 4xx reply) back off and
 * retry up to `maxAttempts`; a 5xx reply fails the notice at once. The address is read at sending
 * time: a user who removed it, or a disabled account, gets nothing (`skipped`).
 */
@Injectable()
export class NotificationSender implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationSender.name);
  private transport?: Transporter;

  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly clock: Clock,
    private readonly tasks: PeriodicTasks,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    const { smtpUrl, sendIntervalMs } = this.config.notifications;
    if (!smtpUrl) return;
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.tasks.register({
      name: 'notifications',
      intervalMs: sendIntervalMs,
      run: () => this.sendPending(),
    });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }

  async sendPending(): Promise<SendRound> {
    const round: SendRound = { sent: 0, retried: 0, failed: 0, skipped: 0 };
    if (!this.transport) return round;
    await this.giveUpInterrupted();
    for (;;) {
      const claimed = await this.claim();
      const addresses = await this.addressesOf(claimed);
      for (const [index, notice] of claimed.entries()) {
        const to = addresses.get(notice.username);
        if (!to) {
          await this.finish(notice, 'skipped', 'no address, or account disabled');
          round.skipped += 1;
          continue;
        }
        try {
          const mail = composeMail(notice, this.config.notifications.consoleUrl);
          await this.transport.sendMail({
            from: this.config.notifications.from,
            to,
            subject: mail.subject,
            text: mail.text,
            messageId: `<${notice.id}@notifications.gateway>`,
            headers: { 'Auto-Submitted': 'auto-generated' },
          });
          await this.finish(notice, 'sent', null);
          round.sent += 1;
        } catch (error) {
          const outcome = await this.failed(notice, error);
          round[outcome] += 1;
          // The relay is unreachable: the rest of the batch waits for the next round untouched.
          if (outcome === 'retried' && !(error as { responseCode?: number }).responseCode) {
            await this.release(claimed.slice(index + 1));
            return round;
          }
        }
      }
      if (claimed.length < BATCH) return round;
    }
  }

  private async claim(): Promise<NotificationRow[]> {
    const now = this.clock.now();
    const claimed = await sql<NotificationRow>`
      update notifications set status = 'sending', claimed_at = ${now}, attempts = attempts + 1
      where id in (
        select id from notifications
        where status = 'pending' and next_attempt_at <= ${now}
        order by next_attempt_at
        limit ${BATCH}
        for update skip locked)
      returning *`.execute(this.db);
    return claimed.rows;
  }

  private async addressesOf(notices: NotificationRow[]): Promise<Map<string, string>> {
    if (notices.length === 0) return new Map();
    const users = await this.db
      .selectFrom('users')
      .select(['username', 'email'])
      .where('username', 'in', [...new Set(notices.map((n) => n.username))])
      .where('disabled_at', 'is', null)
      .where('email', 'is not', null)
      .execute();
    return new Map(users.map((user) => [user.username, user.email!]));
  }

  private async finish(
    notice: NotificationRow,
    status: 'sent' | 'skipped' | 'failed',
    lastError: string | null,
  ): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({
        status,
        last_error: lastError,
        ...(status === 'sent' && { sent_at: this.clock.now() }),
      })
      .where('id', '=', notice.id)
      .where('status', '=', 'sending')
      .execute();
  }

  private async failed(notice: NotificationRow, error: unknown): Promise<'retried' | 'failed'> {
    const { code, responseCode } = error as { code?: string; responseCode?: number };
    // The relay's code and status only: its reply text may quote the recipient's address.
    const reason = [code, responseCode].filter((part) => part !== undefined).join(' ') || 'error';
    const { maxAttempts, retryBaseDelayMs, retryMaxDelayMs } = this.config.notifications;
    const log = { notification: notice.id, kind: notice.kind, attempts: notice.attempts, reason };
    if (isPermanent(error) || notice.attempts >= maxAttempts) {
      this.logger.warn(log, 'notification failed');
      await this.finish(notice, 'failed', reason);
      return 'failed';
    }
    const delay = retryDelayMs(notice.attempts, retryBaseDelayMs, retryMaxDelayMs);
    this.logger.log({ ...log, retryInMs: delay }, 'notification retry scheduled');
    await this.db
      .updateTable('notifications')
      .set({
        status: 'pending',
        last_error: reason,
        next_attempt_at: new Date(this.clock.now().getTime() + delay),
      })
      .where('id', '=', notice.id)
      .where('status', '=', 'sending')
      .execute();
    return 'retried';
  }

  /** Claimed but not tried: back to pending, the attempt not counted. */
  private async release(notices: NotificationRow[]): Promise<void> {
    if (notices.length === 0) return;
    await this.db
      .updateTable('notifications')
      .set({ status: 'pending', attempts: sql<number>`attempts - 1` })
      .where(
        'id',
        'in',
        notices.map((n) => n.id),
      )
      .where('status', '=', 'sending')
      .execute();
  }

  private async giveUpInterrupted(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - CLAIM_TIMEOUT_MS);
    const given = await this.db
      .updateTable('notifications')
      .set({ status: 'failed', last_error: 'interrupted while sending: not sent again' })
      .where('status', '=', 'sending')
      .where('claimed_at', '<', before)
      .returning('id')
      .execute();
    if (given.length > 0) {
      this.logger.warn(
        { notifications: given.length },
        'notifications interrupted mid-send given up',
      );
    }
  }
}
