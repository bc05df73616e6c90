import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ErrorCode, GatewayError } from '#libs/errors';

/** How the node's own bearer tokens are issued and checked (config `auth`, README). */
export interface TokenSettings {
  issuer: string;
  audience: string;
  /** HS256 key, read from GATEWAY_TOKEN_SECRET_FILE: at least 32 bytes. */
  secret: Uint8Array;
  maxTtlSeconds: number;
  clockToleranceSeconds: number;
}

export interface TokenClaims {
  username: string;
  authorityId: string;
}

const API_KEY_PREFIX = 'gwk_';

/** Short-lived signed tokens; the account is re-read on every request, so disabling it takes effect at once. */
export async function issueToken(
  settings: TokenSettings,
  claims: TokenClaims,
  ttlSeconds: number,
  now: Date = new Date(),
): Promise<string> {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > settings.maxTtlSeconds) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `a token lives between 1 and ${settings.maxTtlSeconds} seconds`,
      [{ field: 'ttl' }],
    );
  }
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ authority: claims.authorityId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.username)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(settings.secret);
}

/** Checks signature, issuer, audience, expiry and age; any failure is one stable code, no detail leaked. */
export async function verifyToken(
  settings: TokenSettings,
  token: string,
  now: Date = new Date(),
): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, settings.secret, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: settings.clockToleranceSeconds,
      maxTokenAge: settings.maxTtlSeconds + settings.clockToleranceSeconds,
      currentDate: now,
    });
    if (typeof payload.authority !== 'string' || typeof payload.sub !== 'string') {
      throw new GatewayError(
        ErrorCode.UNAUTHENTICATED,
        'the bearer token lacks its subject or authority',
      );
    }
    return { username: payload.sub, authorityId: payload.authority };
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    const expired = error instanceof joseErrors.JWTExpired;
    throw new GatewayError(
      ErrorCode.UNAUTHENTICATED,
      expired ? 'the bearer token has expired' : 'the bearer token is not valid for this node',
    );
  }
}

export function isApiKey(credential: string): boolean {
  return credential.startsWith(API_KEY_PREFIX);
}

/** A service account's key: 256 random bits; only its SHA-256 is stored. */
export function generateApiKey(): { key: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function tokenSettingsOf(
  config: { auth: { audience: string; maxTokenTtlSeconds: number; clockToleranceSeconds: number } },
  nodeAuthorityId: string,
  secret: Uint8Array,
): TokenSettings {
  return {
    issuer: `gateway:${nodeAuthorityId}`,
    audience: config.auth.audience,
    secret,
    maxTtlSeconds: config.auth.maxTokenTtlSeconds,
    clockToleranceSeconds: config.auth.clockToleranceSeconds,
  };
}
