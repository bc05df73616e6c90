import type { Request } from 'express';
import type { Authenticate, ConsoleSessions, Principal, ResolvedSession } from '#libs/access';
import { GatewayError } from '#libs/errors';
import { authenticateRequest, cookiesOf } from './console-session.js';

const PRINCIPAL: Principal = {
  username: 'fr-moj-bepi.central-authority-officer',
  kind: 'person',
  authorityId: 'FR-MOJ-BEPI',
  roles: ['central-authority-officer'],
  jits: [],
};
const SESSION = 'S'.repeat(43);
const CSRF = 'c'.repeat(43);

function fakes(session?: Partial<ResolvedSession>) {
  const resolved: string[] = [];
  const authenticate = {
    execute: async () => ({ principal: { ...PRINCIPAL, username: 'bearer' } }),
  } as unknown as Authenticate;
  const sessions = {
    resolve: async (token: string) => {
      resolved.push(token);
      return token === SESSION && session
        ? {
            principal: PRINCIPAL,
            expiresAt: new Date('2030-01-01T00:00:00Z'),
            csrfMatches: (candidate: string) => candidate === CSRF,
            ...session,
          }
        : undefined;
    },
  } as unknown as ConsoleSessions;
  return { authenticate, sessions, resolved };
}

const request = (method: string, headers: Record<string, string>) =>
  ({ method, headers }) as unknown as Request & { consoleSession?: string };

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof GatewayError ? error.code : String(error)),
  );

describe('console sessions in the access guard', () => {
  it('reads only its own cookies', () => {
    expect(
      cookiesOf({ headers: { cookie: `a=1; tip_session=${SESSION};tip_csrf=${CSRF}; other=x` } }),
    ).toEqual({ tip_session: SESSION, tip_csrf: CSRF });
    expect(cookiesOf({ headers: {} })).toEqual({});
  });

  it('prefers a bearer credential to a session cookie', async () => {
    const { authenticate, sessions, resolved } = fakes({});
    const answer = await authenticateRequest(
      request('POST', { authorization: 'Bearer x', cookie: `tip_session=${SESSION}` }),
      authenticate,
      sessions,
    );
    expect(answer.principal.username).toBe('bearer');
    expect(resolved).toEqual([]);
  });

  it('authenticates a read with the session cookie alone, and remembers the session', async () => {
    const { authenticate, sessions } = fakes({});
    const incoming = request('GET', { cookie: `tip_session=${SESSION}` });
    const answer = await authenticateRequest(incoming, authenticate, sessions);
    expect(answer.principal).toEqual(PRINCIPAL);
    expect(answer.expiresAt).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(incoming.consoleSession).toBe(SESSION);
  });

  it('refuses a state-changing call without the CSRF token of the session', async () => {
    const { authenticate, sessions } = fakes({});
    const cookie = `tip_session=${SESSION}; tip_csrf=${CSRF}`;
    const attempt = (headers: Record<string, string>) =>
      codeOf(authenticateRequest(request('POST', { cookie, ...headers }), authenticate, sessions));
    expect(await attempt({})).toBe('CSRF_TOKEN_INVALID');
    // Header and cookie agree, but it is not this session's token (a planted cookie).
    const planted = 'p'.repeat(43);
    expect(
      await codeOf(
        authenticateRequest(
          request('DELETE', {
            cookie: `tip_session=${SESSION}; tip_csrf=${planted}`,
            'x-csrf-token': planted,
          }),
          authenticate,
          sessions,
        ),
      ),
    ).toBe('CSRF_TOKEN_INVALID');
    // The session's token in the header, but no matching cookie: not a double submit.
    expect(
      await codeOf(
        authenticateRequest(
          request('POST', { cookie: `tip_session=${SESSION}`, 'x-csrf-token': CSRF }),
          authenticate,
          sessions,
        ),
      ),
    ).toBe('CSRF_TOKEN_INVALID');
    expect(await attempt({ 'x-csrf-token': CSRF })).toBe('accepted');
  });

  it('answers an ended or unknown session as unauthenticated', async () => {
    const { authenticate, sessions } = fakes(undefined);
    expect(
      await codeOf(
        authenticateRequest(
          request('GET', { cookie: `tip_session=${SESSION}` }),
          authenticate,
          sessions,
        ),
      ),
    ).toBe('UNAUTHENTICATED');
  });
});
