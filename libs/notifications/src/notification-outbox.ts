import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditTrail, type AuditExecutor, type AuditObserver, type AuditRecord } from '#libs/audit';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import {
  audienceOf,
  triggerFor,
  wants,
  type NotificationScope,
  type NotificationTrigger,
} from './notification-kinds.js';

interface Target {
  /** The hosted authority concerned; undefined: every authority of the node. */
  authority?: string;
  procedure?: string;
  caseReference?: string | null;
}

/**
 * Writes the notices an audited event causes into the outbox, in the event's own transaction: the
 * notice exists if and only if the event happened (PostgreSQL is the truth; the worker sends
 * later). Recipients are resolved now, from the users of the authority concerned, their roles and
 * preferences; the address is read again when the mail is sent.
 *
 * Observes the audit trail only when e-mail is configured: a node without a mail relay writes no
 * notices, rather than a backlog that would flood inboxes with stale news once a relay is set.
 */
@Injectable()
export class NotificationOutbox implements AuditObserver, OnModuleInit {
  constructor(
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.notifications.smtpUrl) this.audit.observe(this);
  }

  async recorded(record: AuditRecord, trx: AuditExecutor): Promise<void> {
    const trigger = triggerFor(record);
    if (trigger) await this.write(trigger, trx);
  }

  /** Queues the trigger's notices; answers how many were new. */
  async write(trigger: NotificationTrigger, trx: AuditExecutor): Promise<number> {
    const target = await this.resolve(trigger.scope, trx);
    if (!target) return 0;
    let query = trx
      .selectFrom('users')
      .select(['username', 'roles', 'jits', 'email', 'notification_preferences'])
      .where('disabled_at', 'is', null)
      .where('email', 'is not', null);
    if (target.authority) query = query.where('authority', '=', target.authority);
    const users = await query.execute();
    const audience = audienceOf(trigger.kind, target.procedure);
    const recipients = users.filter(
      (user) =>
        user.username !== trigger.exceptUsername &&
        (trigger.onlyUsername === undefined || user.username === trigger.onlyUsername) &&
        wants(
          { ...user, preferences: user.notification_preferences },
          trigger.kind,
          audience,
          target.procedure === 'jit' ? target.caseReference : undefined,
        ),
    );
    if (recipients.length === 0) return 0;
    const now = this.clock.now();
    const inserted = await trx
      .insertInto('notifications')
      .values(
        recipients.map((user) => ({
          id: randomUUID(),
          username: user.username,
          kind: trigger.kind,
          reference: trigger.reference,
          link: trigger.link,
          dedupe_key: trigger.dedupeKey,
          status: 'pending' as const,
          created_at: now,
          next_attempt_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['username', 'kind', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n);
  }

  private async resolve(scope: NotificationScope, trx: AuditExecutor): Promise<Target | undefined> {
    const found =
      'message' in scope
        ? { table: 'messages' as const, id: scope.message }
        : 'request' in scope
          ? { table: 'requests' as const, id: scope.request }
          : undefined;
    if (found) {
      const row = await trx
        .selectFrom(found.table)
        .select(['authority', 'procedure', 'case_reference'])
        .where('id', '=', found.id)
        .executeTakeFirst();
      return (
        row && {
          authority: row.authority,
          procedure: row.procedure,
          caseReference: row.case_reference,
        }
      );
    }
    if ('authority' in scope) return { authority: scope.authority };
    return {};
  }
}
