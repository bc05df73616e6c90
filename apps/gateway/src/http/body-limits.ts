import type { NextFunction, Request, Response } from 'express';
import { checkPayloadLimits, PAYLOAD_LIMITS } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * Every JSON body of the API gets the bounds of a sealed payload (PAYLOAD_LIMITS), checked before
 * class-validator and class-transformer walk it (they recurse: a deeply nested body would overflow
 * the stack and answer 500), and a stable code for every way a body cannot be read.
 */

/**
 * How deep a JSON text nests, read from its bytes without parsing: brackets inside strings do not
 * count. Stops as soon as the limit is passed, so a hostile body costs one pass at most.
 */
export function jsonNestsDeeperThan(text: Uint8Array, limit: number): boolean {
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
  }
  return false;
}

const tooDeep = () =>
  new GatewayError(
    ErrorCode.BODY_TOO_DEEP,
    `the request body nests more than ${PAYLOAD_LIMITS.maxDepth} levels deep`,
    [{ limit: PAYLOAD_LIMITS.maxDepth }],
  );

/** body-parser's `verify` hook: runs on the raw bytes, before JSON.parse. */
export function refuseDeepJson(_request: Request, _response: Response, body: Buffer): void {
  if (jsonNestsDeeperThan(body, PAYLOAD_LIMITS.maxDepth)) throw tooDeep();
}

/** The gateway's refusal for a body-parser failure (size, syntax, encoding, charset). */
export function bodyRefusal(error: unknown): GatewayError | undefined {
  // Our own refusal from the verify hook, which body-parser decorated with an HTTP status (Nest
  // would then take it for an http-errors instance): passed on afresh.
  if (error instanceof GatewayError)
    return new GatewayError(error.code, error.message, error.details);
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) {
    return new GatewayError(ErrorCode.BODY_TOO_LARGE, 'the request body exceeds the size limit', [
      { limit: (error as { limit?: unknown }).limit ?? null },
    ]);
  }
  return new GatewayError(ErrorCode.BODY_MALFORMED, 'the request body could not be read', [
    {
      reason:
        typeof (error as { type?: unknown }).type === 'string'
          ? (error as { type: string }).type
          : 'unreadable',
    },
  ]);
}

/**
 * Express error middleware: body-parser failures become the gateway's own refusals. The peer
 * endpoints (under /inbound/) keep their envelope codes.
 */
export function refuseUnreadableBodies(
  error: unknown,
  request: Request,
  _response: Response,
  next: NextFunction,
): void {
  const refusal = bodyRefusal(error);
  if (!refusal || !request.path.startsWith('/inbound/') || error instanceof GatewayError) {
    next(refusal ?? error);
    return;
  }
  next(
    refusal.code === ErrorCode.BODY_TOO_LARGE
      ? new GatewayError(ErrorCode.ENVELOPE_TOO_LARGE, 'the request body exceeds the size limit')
      : new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'the request body could not be read'),
  );
}

/** After parsing: the member, string and reserved-name bounds of a payload, with the body's codes. */
export function checkJsonBodyLimits(request: Request, _response: Response, next: NextFunction) {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return next();
  try {
    checkPayloadLimits(body);
    next();
  } catch (error) {
    if (!(error instanceof GatewayError)) return next(error);
    const code =
      error.code === ErrorCode.PAYLOAD_TOO_DEEP
        ? ErrorCode.BODY_TOO_DEEP
        : error.code === ErrorCode.PAYLOAD_LIMIT_EXCEEDED
          ? ErrorCode.BODY_TOO_LARGE
          : ErrorCode.BODY_MALFORMED;
    next(
      new GatewayError(
        code,
        error.message.replace('the sealed payload', 'the request body'),
        error.details,
      ),
    );
  }
}
