import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import helmet from 'helmet';
import { json, raw, type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { CHUNKS_PATH, ENVELOPE_MEDIA_TYPE, INBOUND_PATH, ROUTING_HEADERS } from '#libs/envelope';
import { eventBusServer } from '#libs/bus';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ReceiveEnvelope } from '#libs/messaging';
import { Authenticate } from '#libs/access';
import {
  AnonymousRefusals,
  MAX_WITNESS_REQUEST_BYTES,
  WITNESS_PATH,
  WitnessRefusals,
} from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { loadNodeConfig, loadTlsMaterial, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { CORRELATION_HEADER, exitOnStartupFailure, timeHttpRequests } from '#libs/observability';
import { REGISTER_CHECK_PATH } from '#libs/safeguards';
import { GatewayModule } from './gateway.module.js';
import { QUEUE_DASHBOARD_PATH } from './http/queue-dashboard.controller.js';
import { PeerBudget } from './http/access/peer-budget.js';
import { requirePeerCertificate } from './http/access/peer-certificate.js';
import { clientAddressOf, trustedProxyCheck } from './http/access/rate-counters.js';
import { checkJsonBodyLimits, refuseDeepJson, refuseUnreadableBodies } from './http/body-limits.js';
import { describeGateway } from './openapi.js';

async function bootstrap(): Promise<void> {
  const tls = loadTlsMaterial(loadNodeConfig().tls);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
    bufferLogs: true,
    bodyParser: false,
    // A start-up failure is rethrown to exitOnStartupFailure (one structured line), not ended by Nest.
    abortOnError: false,
    // Native HTTPS; with a CA file, peers are asked for client certificates (checked on the peer
    // endpoints only: officers' clients authenticate with bearer credentials).
    ...(tls && {
      httpsOptions: {
        cert: tls.cert,
        key: tls.key,
        ...(tls.ca && { ca: tls.ca, requestCert: true, rejectUnauthorized: false }),
      },
    }),
  });
  app.useLogger(app.get(Logger));
  const config = app.get<NodeConfig>(NODE_CONFIG);
  app.use(helmet(HELMET_OPTIONS));
  serveConsole(app);
  app.use(QUEUE_DASHBOARD_PATH, helmet.contentSecurityPolicy(QUEUE_DASHBOARD_CSP));
  app.use(timeHttpRequests);

  // Client addresses: X-Forwarded-For is believed only from the trusted proxies.
  app.set('trust proxy', trustedProxyCheck(config.http.trustedProxies));
  // Mutual TLS, then the peer endpoints' budgets: both before any body is read.
  if (tls?.ca) {
    const directory = app.get(AuthorityDirectory);
    const refusals = app.get(AnonymousRefusals);
    app.use(
      [INBOUND_PATH, CHUNKS_PATH],
      requirePeerCertificate(directory, refusals, 'message.rejected'),
    );
    app.use(
      REGISTER_CHECK_PATH,
      requirePeerCertificate(directory, refusals, 'register.check-refused'),
    );
    app.use(WITNESS_PATH, requirePeerCertificate(directory, refusals, 'audit.witness-refused'));
  }
  app.use(
    [INBOUND_PATH, CHUNKS_PATH, REGISTER_CHECK_PATH, WITNESS_PATH],
    app.get(PeerBudget).middleware,
  );
  // The witness endpoints (both under WITNESS_PATH) read their bodies raw, whatever the media
  // type, and never more than a statement or a sealed query can be: junk costs a few kilobytes.
  app.use(WITNESS_PATH, raw({ type: () => true, limit: MAX_WITNESS_REQUEST_BYTES }));
  refuseUnreadableWitnessBodies(app);
  // Nesting is refused from the raw bytes, before JSON.parse and long before class-validator.
  app.use(json({ limit: config.http.maxJsonBodyBytes, verify: refuseDeepJson }));
  // The envelope is kept as raw bytes: the receipt attests its digest exactly as received.
  app.useBodyParser('raw', { type: ENVELOPE_MEDIA_TYPE, limit: config.http.maxEnvelopeBytes });
  refuseUnreadableEnvelopes(app);
  app.use(refuseUnreadableBodies);
  app.use(checkJsonBodyLimits);
  answerRefusedHttp(app.getHttpServer());
  app.enableShutdownHooks();

  // Events from this node's workers (delivered, retrying, failed) arrive over Redis.
  app.connectMicroservice<MicroserviceOptions>(eventBusServer(config.redis));

  const document = () => describeGateway(app, config.authorityId);
  publishDocs(app, config.http.docs, document);

  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
}

/**
 * Security headers on every answer. The API answers JSON; only the documentation UI is HTML, and
 * its inline bootstrap script and styles are the one exception the policy makes.
 */
const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
};

/**
 * The officer console's static files (built by `npm run build` into dist/console), same origin as
 * the API, under a strict policy: no inline script or style, no other origin, no framing. The
 * files hold no data: everything the console shows comes from the API, behind authentication.
 */
const CONSOLE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * The queue dashboard (bull-board, behind queues.read) loads its scripts, styles, syntax-highlight
 * worker and JSON from the node only; its page's web-font link to another origin is refused, and so
 * are inline scripts. Its page sets `<base href>` to the dashboard's path, hence base-uri 'self'.
 */
const QUEUE_DASHBOARD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    workerSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    baseUri: ["'self'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
};

function serveConsole(app: NestExpressApplication): void {
  // dist/apps/gateway/src/main.js -> dist/console
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console');
  if (!existsSync(join(dir, 'index.html'))) {
    new NestLogger('Console').warn(`no console at ${dir}: run npm run build`);
    return;
  }
  // Relative asset paths need the trailing slash: /console answers with a redirect to /console/.
  app.use('/console', (request: Request, response: Response, next: NextFunction) => {
    if (/^\/console(\?|$)/.test(request.originalUrl)) {
      response.redirect(301, `/console/${request.originalUrl.slice('/console'.length)}`);
      return;
    }
    next();
  });
  app.use('/console', helmet.contentSecurityPolicy(CONSOLE_CSP));
  app.useStaticAssets(dir, {
    prefix: '/console/',
    index: 'index.html',
    fallthrough: true,
    setHeaders: (response: ServerResponse) => response.setHeader('Cache-Control', 'no-cache'),
  });
}

/**
 * The OpenAPI document and UI (GATEWAY_DOCS): not served at all (`off`), for any signed-in user
 * (`authenticated`: a bearer token or API key on /docs and /docs-json), or to anyone (`public`).
 */
function publishDocs(
  app: NestExpressApplication,
  mode: NodeConfig['http']['docs'],
  document: () => OpenAPIObject,
): void {
  if (mode === 'off') return;
  if (mode === 'authenticated') {
    const authenticate = app.get(Authenticate);
    app.use(
      ['/docs', '/docs-json', '/docs-yaml'],
      (request: Request, _: Response, next: NextFunction) => {
        authenticate.execute(request.headers.authorization).then(() => next(), next);
      },
    );
  }
  SwaggerModule.setup('docs', app, document());
}

const refusals = new NestLogger('HttpRefusals');

/** What a peer endpoint records of a body refused before it was read. */
type RecordUnreadBody = (
  refusal: GatewayError,
  request: Request,
  header: (name: string) => string | undefined,
  context: { correlationId: string; remoteAddress: string | undefined },
) => Promise<void>;

/**
 * Body-parser refusals on a peer endpoint (over the size limit, unreadable content encoding or
 * charset, malformed JSON) happen before routing and request logging: they get the endpoint's own
 * codes, a correlation id, a log line and the audit entry `record` writes.
 */
function refuseUnreadablePeerBodies(
  app: NestExpressApplication,
  path: string,
  record: RecordUnreadBody,
): void {
  app.use(path, (error: unknown, request: Request, response: Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status < 400 || status >= 500) return next(error);
    const refusal =
      status === 413
        ? new GatewayError(ErrorCode.ENVELOPE_TOO_LARGE, 'the request body exceeds the size limit')
        : new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'the request body could not be read');
    const correlationId = randomUUID();
    Object.assign(request, { id: correlationId });
    response.setHeader(CORRELATION_HEADER, correlationId);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    refusals.warn(
      { correlationId, code: refusal.code, err: (error as Error).message },
      'peer request refused before its body was read',
    );
    record(refusal, request, header, {
      correlationId,
      remoteAddress: clientAddressOf(request),
    }).then(() => next(refusal), next);
  });
}

/** The envelope endpoint's: audited as any rejected envelope. */
function refuseUnreadableEnvelopes(app: NestExpressApplication): void {
  const receive = app.get(ReceiveEnvelope);
  refuseUnreadablePeerBodies(app, INBOUND_PATH, (refusal, request, header, context) => {
    const declared = Number(request.headers['content-length']);
    return receive.recordUnreadRejection(
      refusal,
      {
        sender: header(ROUTING_HEADERS.sender),
        recipient: header(ROUTING_HEADERS.recipient),
        messageId: header(ROUTING_HEADERS.messageId),
      },
      Number.isSafeInteger(declared) ? declared : null,
      context,
    );
  });
}

/** The witness endpoints' (a head statement, or the heads a peer holds), audited as theirs. */
function refuseUnreadableWitnessBodies(app: NestExpressApplication): void {
  const witnessRefusals = app.get(WitnessRefusals);
  refuseUnreadablePeerBodies(app, WITNESS_PATH, (refusal, request, header, context) =>
    witnessRefusals.record(
      refusal,
      request.originalUrl.split('?')[0].endsWith('/heads') ? 'heads' : 'statement',
      { sender: header(ROUTING_HEADERS.sender), recipient: header(ROUTING_HEADERS.recipient) },
      context,
    ),
  );
}

/**
 * Requests Node's HTTP server refuses (headers over --max-http-header-size, malformed HTTP, too
 * slow) never reach the application, and Node would answer them with an empty body. They get the
 * error format of every other refusal, and a log line. Nothing is audited: no route and no routing
 * metadata were read.
 */
function answerRefusedHttp(server: Server): void {
  const answers: Record<string, [status: string, code: ErrorCode, message: string]> = {
    HPE_HEADER_OVERFLOW: [
      '431 Request Header Fields Too Large',
      ErrorCode.REQUEST_HEADERS_TOO_LARGE,
      'the request headers are too large',
    ],
    ERR_HTTP_REQUEST_TIMEOUT: [
      '408 Request Timeout',
      ErrorCode.REQUEST_TIMEOUT,
      'the request was not received in time',
    ],
  };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As Node does: answer only while no response is being written on this connection.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, message] = answers[error.code ?? ''] ?? [
      '400 Bad Request',
      ErrorCode.REQUEST_MALFORMED,
      'the request is not valid HTTP',
    ];
    refusals.warn(
      { code, err: error.code ?? error.message, remoteAddress: socket.remoteAddress },
      'HTTP request refused before routing',
    );
    const body = JSON.stringify({
      error: { code, message, details: [] },
      correlationId: 'unassigned',
    });
    // Closed once the answer is out, whatever the peer keeps sending.
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  });
}

bootstrap().catch(exitOnStartupFailure('gateway'));
