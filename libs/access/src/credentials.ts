import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTVerifyGetKey,
} from 'jose';
import { ErrorCode, GatewayError } from '#libs/errors';

/** How the node's own bearer tokens are issued and checked (config `auth`, README). */
export interface TokenSettings {
  issuer: string;
  audience: string;
  /** HS256 key, read from GATEWAY_TOKEN_SECRET_FILE: at least 32 bytes. */
  secret: Uint8Array;
  maxTtlSeconds: number;
  clockToleranceSeconds: number;
  /** An organisation's identity provider whose tokens the node also accepts (OpenID Connect). */
  identityProvider?: IdentityProviderSettings;
}

export interface IdentityProviderSettings {
  issuer: string;
  audience: string;
  /** The provider's signing keys, from its JWKS document (fetched over HTTPS only). */
  keys: JWTVerifyGetKey;
}

export type TokenClaims =
  /** A token of this node: the account's name and the authority it was issued for. */
  | { username: string; authorityId: string; expiresAt: Date }
  /**
   * A token of the identity provider: its issuer and the user's subject, matched against the
   * external identity recorded on an account (never a display name: not unique, not stable).
   */
  | { externalIdentity: { issuer: string; subject: string }; expiresAt: Date };

/** Asymmetric algorithms only: a provider's public key must never double as an HMAC secret. */
const PROVIDER_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

const API_KEY_PREFIX = 'gwk_';

/** Short-lived signed tokens; the account is re-read on every request, so disabling it takes effect at once. */
export async function issueToken(
  settings: TokenSettings,
  claims: { username: string; authorityId: string },
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

/**
 * Checks signature, issuer, audience, expiry and age of a token of this node or of the configured
 * identity provider; any failure is one stable code, no detail leaked.
 */
export async function verifyToken(
  settings: TokenSettings,
  token: string,
  now: Date = new Date(),
): Promise<TokenClaims> {
  const common = {
    requiredClaims: ['sub', 'exp', 'iat'],
    clockTolerance: settings.clockToleranceSeconds,
    maxTokenAge: settings.maxTtlSeconds + settings.clockToleranceSeconds,
    currentDate: now,
  };
  try {
    // The issuer only picks the key to check with; nothing is trusted before the signature is.
    const issuer = decodeJwt(token).iss;
    const provider = settings.identityProvider;
    if (provider && issuer === provider.issuer) {
      const { payload } = await jwtVerify(token, provider.keys, {
        ...common,
        issuer: provider.issuer,
        audience: provider.audience,
        algorithms: PROVIDER_ALGORITHMS,
      });
      return {
        externalIdentity: { issuer: provider.issuer, subject: payload.sub! },
        expiresAt: new Date(payload.exp! * 1000),
      };
    }
    const { payload } = await jwtVerify(token, settings.secret, {
      ...common,
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ['HS256'],
    });
    if (typeof payload.authority !== 'string' || typeof payload.sub !== 'string') {
      throw new Error('no subject or authority');
    }
    return {
      username: payload.sub,
      authorityId: payload.authority,
      expiresAt: new Date(payload.exp! * 1000),
    };
  } catch (error) {
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
  config: {
    auth: {
      audience: string;
      maxTokenTtlSeconds: number;
      clockToleranceSeconds: number;
      identityProvider?: { issuer: string; jwksUrl: string; audience: string };
    };
  },
  nodeAuthorityId: string,
  secret: Uint8Array,
): TokenSettings {
  const provider = config.auth.identityProvider;
  return {
    issuer: `gateway:${nodeAuthorityId}`,
    audience: config.auth.audience,
    secret,
    maxTtlSeconds: config.auth.maxTokenTtlSeconds,
    clockToleranceSeconds: config.auth.clockToleranceSeconds,
    ...(provider
      ? {
          identityProvider: {
            issuer: provider.issuer,
            audience: provider.audience,
            keys: createRemoteJWKSet(new URL(provider.jwksUrl)),
          },
        }
      : {}),
  };
}
