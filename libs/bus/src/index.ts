export { BusModule } from './bus.module.js';
export { MailboxEventPattern, type MailboxEvent } from './events.js';
export { EventsPublisher, redisTransportOptions } from './events-publisher.js';
