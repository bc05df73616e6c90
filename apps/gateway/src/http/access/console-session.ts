import type { Request } from 'express';
import {
  Authenticate,
  ConsoleSessions,
  CSRF_COOKIE,
  CSRF_HEADER,
  SESSION_COOKIE,
  type Principal,
} from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';

/** Methods that change nothing: the only ones a console session may call without its CSRF token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The cookies of a request (the gateway reads only its own two). */
export function cookiesOf(request: Pick<Request, 'headers'>): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (name !== SESSION_COOKIE && name !== CSRF_COOKIE) continue;
    cookies[name] = part.slice(at + 1).trim();
  }
  return cookies;
}

/**
 * Who is calling: the bearer credential when there is one (API clients, the CLI), otherwise the
 * console's session cookie. A state-changing call of a session must echo the session's CSRF token
 * in X-CSRF-Token, equal to the CSRF cookie (double submit) and bound to the session: another site
 * can make the browser send the cookie, but can neither read it nor set the header.
 */
export async function authenticateRequest(
  request: Request & { consoleSession?: string },
  authenticate: Authenticate,
  sessions: ConsoleSessions,
): Promise<{ principal: Principal; expiresAt?: Date }> {
  const cookies = cookiesOf(request);
  const session = cookies[SESSION_COOKIE];
  if (request.headers.authorization !== undefined || session === undefined) {
    return authenticate.execute(request.headers.authorization);
  }
  const resolved = await sessions.resolve(session);
  if (!resolved) {
    throw new GatewayError(
      ErrorCode.UNAUTHENTICATED,
      'the console session has ended or expired: sign in again',
    );
  }
  if (!SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    if (
      typeof header !== 'string' ||
      header !== cookies[CSRF_COOKIE] ||
      !resolved.csrfMatches(header)
    ) {
      throw new GatewayError(
        ErrorCode.CSRF_TOKEN_INVALID,
        `a state-changing call of a console session carries the session's CSRF token in ${CSRF_HEADER}`,
        [{ field: CSRF_HEADER }],
      );
    }
  }
  request.consoleSession = session;
  return { principal: resolved.principal, expiresAt: resolved.expiresAt };
}
