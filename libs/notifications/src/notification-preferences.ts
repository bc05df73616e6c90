import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { actorOf, type Principal } from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';
import { preferencesOf, type NotificationKind } from './notification-kinds.js';

export interface NotificationSettingsView {
  /** Whether this node sends e-mail at all (GATEWAY_SMTP_URL). */
  enabled: boolean;
  email: string | null;
  /** The kinds the user's roles are offered: on or off, and their roles' default. */
  kinds: Array<{ kind: NotificationKind; enabled: boolean; default: boolean }>;
}

/** A user's change to their own settings; what is absent stays as it is. */
export interface UpdateNotificationSettingsCommand {
  /** The address to send to; null removes it (and with it every notification). */
  email?: string | null;
  kinds?: Array<{ kind: NotificationKind; enabled: boolean }>;
}

/** Reading one's own notification settings. */
@Injectable()
export class NotificationSettings {
  constructor(
    @InjectDatabase() private readonly db: Db,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(principal: Principal): Promise<NotificationSettingsView> {
    const row = await this.db
      .selectFrom('users')
      .select(['email', 'notification_preferences', 'roles'])
      .where('username', '=', principal.username)
      .executeTakeFirstOrThrow();
    return {
      enabled: this.config.notifications.smtpUrl !== undefined,
      email: row.email,
      kinds: preferencesOf(row.roles, row.notification_preferences),
    };
  }
}

/**
 * Changing one's own address and kinds. A kind the user's roles are not offered is refused rather
 * than stored: it could never be sent. Audited without the address (personal data).
 */
@Injectable()
export class UpdateNotificationSettings {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly settings: NotificationSettings,
  ) {}

  async execute(
    principal: Principal,
    command: UpdateNotificationSettingsCommand,
    correlationId?: string,
  ): Promise<NotificationSettingsView> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('users')
        .select(['notification_preferences', 'roles'])
        .where('username', '=', principal.username)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const offered = new Set(preferencesOf(row.roles, {}).map((k) => k.kind));
      const preferences = { ...row.notification_preferences };
      for (const [index, { kind, enabled }] of (command.kinds ?? []).entries()) {
        if (!offered.has(kind)) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            `notifications of kind ${kind} are not offered to your roles`,
            [{ field: `kinds.${index}.kind` }],
          );
        }
        preferences[kind] = enabled;
      }
      await trx
        .updateTable('users')
        .set({
          notification_preferences: JSON.stringify(preferences),
          ...(command.email !== undefined && { email: command.email }),
        })
        .where('username', '=', principal.username)
        .execute();
      await this.audit.record(
        {
          event: 'user.notifications-changed',
          actor: actorOf(principal),
          correlationId,
          details: {
            username: principal.username,
            kinds: command.kinds ?? [],
            ...(command.email !== undefined && {
              email: command.email === null ? 'removed' : 'set',
            }),
          },
        },
        trx,
      );
    });
    return this.settings.execute(principal);
  }
}
