export { CORRELATION_HEADER, loggerModule } from './logger.js';
export { exitOnStartupFailure } from './startup.js';
export { countAuditEvent, deliverySeconds, scrapedGauge, timeHttpRequests } from './metrics.js';
