import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  generateApiKey,
  hashApiKey,
  issueToken,
  verifyToken,
  type TokenSettings,
} from './credentials.js';
import { isGranted, PERMISSIONS, type Permission } from './permissions.js';
import { evidenceScopeOf, inScope, rowInScope, scopeOf, type Principal } from './principal.js';
import { ROLES } from './roles.js';

const settings: TokenSettings = {
  issuer: 'gateway:FR-MOJ-BEPI',
  audience: 'gateway-api',
  secret: new TextEncoder().encode('0123456789abcdef0123456789abcdef'),
  maxTtlSeconds: 3600,
  clockToleranceSeconds: 30,
};

const principal = (roles: Principal['roles'], jits: string[] = []): Principal => ({
  username: 'someone',
  kind: 'person',
  authorityId: 'FR-MOJ-BEPI',
  roles,
  jits,
});

describe('the permission table', () => {
  it('names only known roles, and grants nothing to a principal without roles', () => {
    for (const [permission, roles] of Object.entries(PERMISSIONS)) {
      for (const role of roles)
        expect([permission, ROLES]).toEqual([permission, expect.arrayContaining([role])]);
      expect(isGranted([], permission as Permission)).toBe(false);
    }
  });

  it('keeps the register to the asylum authority and case content from auditors and monitors', () => {
    expect(PERMISSIONS['register.read']).toEqual(['asylum-authority-officer']);
    expect(PERMISSIONS['register.write']).toEqual(['asylum-authority-officer']);
    const monitor = (Object.keys(PERMISSIONS) as Permission[]).filter((p) =>
      isGranted(['monitor'], p),
    );
    expect(monitor.sort()).toEqual([
      'metrics.read',
      'notifications.own',
      'session.read',
      'statistics.read',
    ]);
    expect(isGranted(['auditor'], 'messages.read')).toBe(false);
    expect(isGranted(['administrator'], 'requests.read')).toBe(false);
    // The queue dashboard names jobs and peers' failure reasons: operations, administrators only.
    expect(PERMISSIONS['queues.read']).toEqual(['administrator']);
    // Retrying a delivery is an operator's decision; supervisors may only look.
    expect(PERMISSIONS['deliveries.retry']).toEqual(['administrator']);
    expect(isGranted(['supervisor'], 'deliveries.read')).toBe(true);
    expect(isGranted(['central-authority-officer'], 'deliveries.read')).toBe(false);
  });

  it('leaves the review of warnings to supervisors; submitters read their own submissions', () => {
    expect(PERMISSIONS['warnings.review']).toEqual(['supervisor']);
    for (const role of ROLES.filter((r) => r !== 'supervisor'))
      expect([role, isGranted([role], 'warnings.review')]).toEqual([role, false]);
    expect(isGranted(['central-authority-officer'], 'supervised-submissions.own')).toBe(true);
    expect(isGranted(['supervisor'], 'supervised-submissions.own')).toBe(true);
    expect(isGranted(['auditor'], 'supervised-submissions.own')).toBe(false);
  });
});

describe('access scopes', () => {
  const item = (
    procedure: string,
    caseReference: string | null = 'C-1',
    authorityId = 'FR-MOJ-BEPI',
  ) => ({
    authorityId,
    procedure,
    caseReference,
  });

  it('gives each caseworker role its procedures, within its own authority only', () => {
    const central = scopeOf(principal(['central-authority-officer']));
    expect(inScope(central, item('mla'))).toBe(true);
    expect(inScope(central, item('nationality-verification'))).toBe(false);
    expect(inScope(central, item('mla', 'C-1', 'FR-PNAT-PARIS'))).toBe(false);
    const row = { authority: 'FR-MOJ-BEPI', procedure: 'mla', case_reference: 'C-1' };
    expect(rowInScope(central, row)).toBe(true);
    expect(rowInScope(central, { ...row, authority: 'FR-PNAT-PARIS' })).toBe(false);
    const supervisor = scopeOf(principal(['supervisor']));
    for (const procedure of ['mla', 'jit', 'nationality-verification', 'assets'])
      expect(inScope(supervisor, item(procedure))).toBe(true);
  });

  it('shows a liaison officer only the JITs on their account', () => {
    const liaison = scopeOf(principal(['liaison-officer'], ['FR-JIT-7']));
    expect(inScope(liaison, item('jit', 'FR-JIT-7'))).toBe(true);
    expect(inScope(liaison, item('jit', 'FR-JIT-8'))).toBe(false);
    expect(inScope(liaison, item('jit', null))).toBe(false);
    expect(inScope(liaison, item('mla', 'FR-JIT-7'))).toBe(false);
  });

  it('lets auditors export evidence of every procedure, and nobody else see more for it', () => {
    expect(scopeOf(principal(['auditor'])).procedures).toEqual([]);
    expect(evidenceScopeOf(principal(['auditor'])).procedures).toHaveLength(4);
    expect(evidenceScopeOf(principal(['monitor'])).procedures).toEqual([]);
  });
});

describe('credentials', () => {
  it('issues tokens that verify, and refuses tampered, foreign, expired and over-long ones', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const token = await issueToken(
      settings,
      { username: 'a.b', authorityId: 'FR-MOJ-BEPI' },
      600,
      now,
    );
    expect(await verifyToken(settings, token, now)).toEqual({
      username: 'a.b',
      authorityId: 'FR-MOJ-BEPI',
      expiresAt: new Date(now.getTime() + 600_000),
    });
    const refused = async (candidate: string, at = now, with_ = settings) => {
      const error = await verifyToken(with_, candidate, at).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe(ErrorCode.UNAUTHENTICATED);
      return (error as GatewayError).message;
    };
    const [header, payload, signature] = token.split('.');
    await refused(`${header}.${payload}.${signature.slice(0, -2)}AA`);
    await refused(token, now, { ...settings, issuer: 'gateway:NG-MOJ-CA' });
    await refused(token, now, { ...settings, audience: 'another-api' });
    expect(await refused(token, new Date(now.getTime() + 631_000))).toMatch(/expired/);
    // Within the tolerated clock difference it still passes.
    expect(await verifyToken(settings, token, new Date(now.getTime() + 620_000))).toBeTruthy();
    await expect(
      issueToken(settings, { username: 'a', authorityId: 'FR-MOJ-BEPI' }, 3601),
    ).rejects.toThrow(/between 1 and 3600/);
  });

  it("accepts an identity provider's tokens by its published keys, and nothing signed otherwise", async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256' };
    const withProvider: TokenSettings = {
      ...settings,
      identityProvider: {
        issuer: 'https://idp.justice.example',
        audience: 'gateway-api',
        keys: createLocalJWKSet({ keys: [jwk] }),
      },
    };
    const now = new Date('2026-11-22T10:00:00Z');
    const providerToken = (claims: Record<string, unknown>, sign = privateKey) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer('https://idp.justice.example')
        .setAudience('gateway-api')
        .setSubject('0f3a-opaque-id')
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
        .sign(sign);
    // Matched on the provider's issuer and subject, whatever name the token displays.
    expect(
      await verifyToken(withProvider, await providerToken({ preferred_username: 'a.b' }), now),
    ).toEqual({
      externalIdentity: { issuer: 'https://idp.justice.example', subject: '0f3a-opaque-id' },
      expiresAt: new Date(now.getTime() + 300_000),
    });
    const refusals = [
      // no subject
      await new SignJWT({ preferred_username: 'a.b' })
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setIssuer('https://idp.justice.example')
        .setAudience('gateway-api')
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
        .sign(privateKey),
      // signed by another key under the provider's name
      await providerToken(
        { preferred_username: 'a.b' },
        (await generateKeyPair('ES256')).privateKey,
      ),
      // the provider's name on an HMAC token made with the node's own secret (algorithm confusion)
      await new SignJWT({ preferred_username: 'a.b' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('https://idp.justice.example')
        .setAudience('gateway-api')
        .setSubject('x')
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
        .sign(settings.secret),
    ];
    for (const token of refusals) {
      await expect(verifyToken(withProvider, token, now)).rejects.toMatchObject({
        code: ErrorCode.UNAUTHENTICATED,
      });
    }
    // Without a provider configured, its tokens are simply foreign.
    await expect(
      verifyToken(settings, await providerToken({ preferred_username: 'a.b' }), now),
    ).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
  });

  it('makes API keys of 256 random bits and keeps only their hash', () => {
    const { key, hash } = generateApiKey();
    expect(key).toMatch(/^gwk_[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(hash).not.toContain(key.slice(4));
    expect(generateApiKey().key).not.toBe(key);
  });
});
