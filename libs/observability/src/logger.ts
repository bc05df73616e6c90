import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { readSetting } from '#libs/node-config';

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * Structured JSON logs (pino). Every HTTP request gets a correlation id (taken from the caller's
 * X-Correlation-Id when well-formed) that is echoed back, stored with messages and passed to peers.
 * Credentials are redacted; payloads and keys are never logged in the first place.
 */
export function loggerModule(component: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: readSetting('LOG_LEVEL'),
      base: { component, authority: process.env.GATEWAY_AUTHORITY_ID, pid: process.pid },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const offered = req.headers[CORRELATION_HEADER];
        const id =
          typeof offered === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(offered)
            ? offered
            : randomUUID();
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      customAttributeKeys: { reqId: 'correlationId' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: {
          id: unknown;
          method: string;
          url: string;
          headers: Record<string, unknown>;
        }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          sender: req.headers['x-envelope-sender'],
          messageId: req.headers['x-message-id'],
        }),
      },
    },
  });
}
