export { composeMail, type MailContent, type Notice } from './mail-content.js';
export {
  audienceOf,
  NOTIFICATION_KINDS,
  preferencesOf,
  triggerFor,
  wants,
  type NotificationKind,
  type NotificationTrigger,
} from './notification-kinds.js';
export { NotificationOutbox } from './notification-outbox.js';
export {
  NotificationSettings,
  UpdateNotificationSettings,
  type NotificationSettingsView,
  type UpdateNotificationSettingsCommand,
} from './notification-preferences.js';
export {
  isPermanent,
  NotificationSender,
  retryDelayMs,
  type SendRound,
} from './notification-sender.js';
export { NotificationsModule } from './notifications.module.js';
