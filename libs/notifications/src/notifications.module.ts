import { Module, type DynamicModule } from '@nestjs/common';
import { NotificationOutbox } from './notification-outbox.js';
import { NotificationSettings, UpdateNotificationSettings } from './notification-preferences.js';
import { NotificationSender } from './notification-sender.js';

/**
 * E-mail notifications. Every process that records audited events writes their notices (the
 * outbox observes the audit trail); `sender: true` (the worker) also sends them.
 */
@Module({})
export class NotificationsModule {
  static forComponent(options: { sender: boolean }): DynamicModule {
    return {
      module: NotificationsModule,
      providers: [
        NotificationOutbox,
        NotificationSettings,
        UpdateNotificationSettings,
        ...(options.sender ? [NotificationSender] : []),
      ],
      exports: [NotificationSettings, UpdateNotificationSettings],
    };
  }
}
