import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { AUTHORITY_ID_PATTERN } from '#libs/envelope';

export interface NodeConfig {
  /** The node's own authority. */
  authorityId: string;
  /** Further authorities of the same State served by this node as a hub (GATEWAY_HOSTED_AUTHORITIES). */
  hostedAuthorityIds: string[];
  /** Folder of authority files (GATEWAY_DIRECTORY_DIR), or else the signed directory below. */
  directoryDir?: string;
  /** Signed directory document (GATEWAY_DIRECTORY_FILE), verified against the trust anchor. */
  directoryFile?: string;
  directoryTrustAnchorFile?: string;
  privateKeyFile: string;
  http: {
    host: string;
    port: number;
    maxEnvelopeBytes: number;
    maxJsonBodyBytes: number;
    /**
     * Reverse proxies whose X-Forwarded-For is believed (GATEWAY_TRUSTED_PROXIES: addresses or
     * CIDR blocks). From any other address the header is ignored: the socket's address counts.
     */
    trustedProxies: string[];
    /** The OpenAPI document and UI at /docs: off, for signed-in users only, or public (GATEWAY_DOCS). */
    docs: 'off' | 'authenticated' | 'public';
  };
  /**
   * Native HTTPS (GATEWAY_TLS_CERT_FILE, GATEWAY_TLS_KEY_FILE): the node's certificate, also
   * presented as client certificate to peers; with GATEWAY_TLS_CA_FILE, the CAs that vouch for
   * peers' certificates, and the peer endpoints then require one (mutual TLS).
   */
  tls?: { certFile: string; keyFile: string; caFile?: string };
  /**
   * The worker's own HTTP server for /health and /metrics (GATEWAY_WORKER_HTTP_PORT, on
   * GATEWAY_WORKER_HTTP_HOST, loopback by default); none without a port, as several workers may
   * share a machine.
   */
  worker: { httpHost: string; httpPort?: number };
  database: { url: string; schema: string };
  redis: { url: string; prefix: string };
  delivery: {
    retryWindowMs: number;
    baseDelayMs: number;
    maxDelayMs: number;
    requestTimeoutMs: number;
    concurrency: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    reconcileIntervalMs: number;
  };
  inbound: {
    replayWindowMs: number;
    clockSkewMs: number;
    maxDecompressedBytes: number;
    /** Worker threads that decrypt envelopes off the event loop (security S1). */
    decryptionWorkers: number;
    /** An envelope whose decryption takes longer is refused (503, the sender retries). */
    decryptionTimeoutMs: number;
    /** JavaScript heap limit of each decryption worker. */
    decryptionMemoryMb: number;
  };
  /**
   * The national register: how long a check of another node's register may take before it counts
   * as unavailable, how often held submissions are checked again, and when they fail.
   */
  safeguards: {
    registerCheckTimeoutMs: number;
    heldRecheckIntervalMs: number;
    heldGiveUpMs: number;
  };
  /** Anonymous refusals are audited one in full, then counted, per source and window (S7). */
  audit: { anonymousRefusalWindowSeconds: number };
  /** Warnings for keys that end within `expiryWarningDays`; the worker checks every interval. */
  keys: { expiryWarningDays: number; expiryCheckIntervalMs: number };
  /** Bearer tokens issued by this node (issuer `gateway:<authorityId>`), and an optional identity provider. */
  auth: {
    audience: string;
    maxTokenTtlSeconds: number;
    clockToleranceSeconds: number;
    identityProvider?: { issuer: string; jwksUrl: string; audience: string };
  };
  /**
   * Requests per window: per client address (the officer API), per signed-in user, and on the peer
   * endpoints two separate budgets: envelopes that verified, per sender authority (`perPeer`), and
   * posts not (yet) verified, per client address and claimed sender (`perPeerUnverified`).
   */
  rateLimits: {
    windowSeconds: number;
    perUser: number;
    perPeer: number;
    perPeerUnverified: number;
    perAddress: number;
  };
}

type Env = Record<string, string | undefined>;

/** Numeric settings and the environment variable that overrides each. */
const NUMERIC_OVERRIDES: Array<[path: string, variable: string]> = [
  ['http.port', 'GATEWAY_HTTP_PORT'],
  ['http.maxEnvelopeBytes', 'GATEWAY_MAX_ENVELOPE_BYTES'],
  ['http.maxJsonBodyBytes', 'GATEWAY_MAX_JSON_BODY_BYTES'],
  ['delivery.retryWindowMs', 'GATEWAY_RETRY_WINDOW_MS'],
  ['delivery.baseDelayMs', 'GATEWAY_RETRY_BASE_DELAY_MS'],
  ['delivery.maxDelayMs', 'GATEWAY_RETRY_MAX_DELAY_MS'],
  ['delivery.requestTimeoutMs', 'GATEWAY_DELIVERY_TIMEOUT_MS'],
  ['delivery.concurrency', 'GATEWAY_DELIVERY_CONCURRENCY'],
  ['delivery.lockDurationMs', 'GATEWAY_JOB_LOCK_MS'],
  ['delivery.stalledIntervalMs', 'GATEWAY_JOB_STALLED_INTERVAL_MS'],
  ['delivery.reconcileIntervalMs', 'GATEWAY_RECONCILE_INTERVAL_MS'],
  ['inbound.replayWindowMs', 'GATEWAY_REPLAY_WINDOW_MS'],
  ['inbound.clockSkewMs', 'GATEWAY_CLOCK_SKEW_MS'],
  ['inbound.maxDecompressedBytes', 'GATEWAY_MAX_DECOMPRESSED_BYTES'],
  ['safeguards.registerCheckTimeoutMs', 'GATEWAY_REGISTER_CHECK_TIMEOUT_MS'],
  ['safeguards.heldRecheckIntervalMs', 'GATEWAY_HELD_RECHECK_INTERVAL_MS'],
  ['safeguards.heldGiveUpMs', 'GATEWAY_HELD_GIVE_UP_MS'],
  ['inbound.decryptionWorkers', 'GATEWAY_DECRYPTION_WORKERS'],
  ['inbound.decryptionTimeoutMs', 'GATEWAY_DECRYPTION_TIMEOUT_MS'],
  ['inbound.decryptionMemoryMb', 'GATEWAY_DECRYPTION_MEMORY_MB'],
  ['keys.expiryWarningDays', 'GATEWAY_KEY_EXPIRY_WARNING_DAYS'],
  ['keys.expiryCheckIntervalMs', 'GATEWAY_KEY_EXPIRY_CHECK_INTERVAL_MS'],
  ['auth.maxTokenTtlSeconds', 'GATEWAY_MAX_TOKEN_TTL_SECONDS'],
  ['auth.clockToleranceSeconds', 'GATEWAY_TOKEN_CLOCK_TOLERANCE_SECONDS'],
  ['rateLimits.windowSeconds', 'GATEWAY_RATE_WINDOW_SECONDS'],
  ['audit.anonymousRefusalWindowSeconds', 'GATEWAY_AUDIT_REFUSAL_WINDOW_SECONDS'],
  ['rateLimits.perUser', 'GATEWAY_RATE_LIMIT_PER_USER'],
  ['rateLimits.perPeer', 'GATEWAY_RATE_LIMIT_PER_PEER'],
  ['rateLimits.perPeerUnverified', 'GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED'],
  ['rateLimits.perAddress', 'GATEWAY_RATE_LIMIT_PER_ADDRESS'],
];

const TEXT_OVERRIDES: Array<[path: string, variable: string]> = [
  ['http.host', 'GATEWAY_HTTP_HOST'],
  ['database.url', 'DATABASE_URL'],
  ['database.schema', 'GATEWAY_DB_SCHEMA'],
  ['redis.url', 'REDIS_URL'],
  ['redis.prefix', 'GATEWAY_REDIS_PREFIX'],
  ['auth.audience', 'GATEWAY_TOKEN_AUDIENCE'],
];

/**
 * Builds the node's configuration from `config/gateway.json` (or GATEWAY_CONFIG_FILE) and the
 * environment, and fails with every problem listed when anything is missing or inconsistent.
 * The key passphrase is deliberately not part of it: see `readKeyPassphrase`.
 */
export function loadNodeConfig(env: Env = process.env): NodeConfig {
  const file = resolve(env.GATEWAY_CONFIG_FILE ?? 'config/gateway.json');
  let defaults: unknown;
  try {
    defaults = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `cannot read ${file}: ${(error as Error).message}`,
    );
  }
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
    throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, `${file} must hold a JSON object`);
  }
  const problems: ErrorDetail[] = [];
  const config = structuredClone(defaults) as unknown as NodeConfig & { $comment?: string };
  delete config.$comment;

  const required = (variable: string): string => {
    const value = env[variable];
    if (!value) problems.push({ field: variable, message: `${variable} must be set` });
    return value ?? '';
  };
  config.authorityId = required('GATEWAY_AUTHORITY_ID');
  problems.push(...directorySource(config, env));
  config.privateKeyFile = required('GATEWAY_PRIVATE_KEY_FILE');
  if (config.authorityId && !AUTHORITY_ID_PATTERN.test(config.authorityId)) {
    problems.push({ field: 'GATEWAY_AUTHORITY_ID', message: 'must look like FR-MOJ-BEPI' });
  }
  config.hostedAuthorityIds = (env.GATEWAY_HOSTED_AUTHORITIES ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '' && id !== config.authorityId);
  for (const id of config.hostedAuthorityIds) {
    if (!AUTHORITY_ID_PATTERN.test(id)) {
      problems.push({
        field: 'GATEWAY_HOSTED_AUTHORITIES',
        message: `${id} must look like FR-MOJ-BEPI`,
      });
    } else if (config.authorityId && id.slice(0, 2) !== config.authorityId.slice(0, 2)) {
      problems.push({
        field: 'GATEWAY_HOSTED_AUTHORITIES',
        message: `${id} belongs to another State: a hub serves the authorities of one State`,
      });
    }
  }

  for (const [path, variable] of TEXT_OVERRIDES) {
    if (env[variable]) setPath(config, path, env[variable]);
    if (typeof getPath(config, path) !== 'string' || getPath(config, path) === '') {
      problems.push({ field: path, message: `must be a non-empty string (${variable})` });
    }
  }
  for (const [path, variable] of NUMERIC_OVERRIDES) {
    const raw = env[variable];
    if (raw !== undefined) setPath(config, path, Number(raw));
    const value = getPath(config, path);
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      problems.push({ field: path, message: `must be a positive integer (${variable})` });
    }
  }
  const docs = env.GATEWAY_DOCS ?? getPath(config, 'http.docs');
  if (docs !== 'off' && docs !== 'authenticated' && docs !== 'public') {
    problems.push({ field: 'GATEWAY_DOCS', message: 'must be off, authenticated or public' });
  }
  config.http = { ...config.http, docs: docs as NodeConfig['http']['docs'] };
  const workerPort = env.GATEWAY_WORKER_HTTP_PORT;
  if (workerPort !== undefined && !(/^[1-9]\d{0,4}$/.test(workerPort) && +workerPort <= 65535)) {
    problems.push({
      field: 'worker.httpPort',
      message: 'must be a positive integer (GATEWAY_WORKER_HTTP_PORT)',
    });
  }
  config.worker = {
    httpHost: env.GATEWAY_WORKER_HTTP_HOST ?? config.worker?.httpHost ?? '127.0.0.1',
    ...(workerPort !== undefined && { httpPort: Number(workerPort) }),
  };
  if (env.GATEWAY_TLS_CERT_FILE || env.GATEWAY_TLS_KEY_FILE || env.GATEWAY_TLS_CA_FILE) {
    if (!env.GATEWAY_TLS_CERT_FILE || !env.GATEWAY_TLS_KEY_FILE) {
      problems.push({
        field: env.GATEWAY_TLS_CERT_FILE ? 'GATEWAY_TLS_KEY_FILE' : 'GATEWAY_TLS_CERT_FILE',
        message: 'HTTPS needs both the certificate and its private key',
      });
    }
    config.tls = {
      certFile: env.GATEWAY_TLS_CERT_FILE ?? '',
      keyFile: env.GATEWAY_TLS_KEY_FILE ?? '',
      ...(env.GATEWAY_TLS_CA_FILE && { caFile: env.GATEWAY_TLS_CA_FILE }),
    };
  }
  const listed = getPath(config, 'http.trustedProxies');
  const proxies = trustedProxies(
    env.GATEWAY_TRUSTED_PROXIES ?? (Array.isArray(listed) ? listed.join(',') : ''),
  );
  config.http = { ...config.http, trustedProxies: proxies.valid };
  problems.push(...proxies.problems);
  if (env.GATEWAY_OIDC_ISSUER) {
    const jwksUrl = env.GATEWAY_OIDC_JWKS_URL ?? '';
    const problem = jwksUrlProblem(jwksUrl, env.GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP === 'true');
    if (problem) problems.push({ field: 'GATEWAY_OIDC_JWKS_URL', message: problem });
    config.auth = {
      ...config.auth,
      identityProvider: {
        issuer: env.GATEWAY_OIDC_ISSUER,
        jwksUrl,
        audience: env.GATEWAY_OIDC_AUDIENCE ?? String(getPath(config, 'auth.audience')),
      },
    };
  }
  // A section missing from the file has already been reported above: read through getPath.
  const schema = getPath(config, 'database.schema');
  if (typeof schema === 'string' && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    problems.push({ field: 'database.schema', message: 'must be a lower-case SQL identifier' });
  }
  // The last attempt is made when the retry window closes; it may take the request timeout to
  // arrive and the receiving clock may be ahead by the tolerated skew.
  const latestArrival =
    Number(getPath(config, 'delivery.retryWindowMs')) +
    Number(getPath(config, 'delivery.requestTimeoutMs')) +
    Number(getPath(config, 'inbound.clockSkewMs'));
  if (Number(getPath(config, 'inbound.replayWindowMs')) < latestArrival) {
    problems.push({
      field: 'inbound.replayWindowMs',
      message:
        'must be at least delivery.retryWindowMs + delivery.requestTimeoutMs + inbound.clockSkewMs, or late retries of genuine envelopes would be refused as replays',
    });
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      'node configuration is invalid',
      problems,
    );
  }
  return config;
}

/** Addresses and CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`), comma-separated. */
function trustedProxies(list: string): { valid: string[]; problems: ErrorDetail[] } {
  const valid: string[] = [];
  const problems: ErrorDetail[] = [];
  for (const entry of list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !/^\d+$/.test(String(bits)) || bits > maxBits) {
      problems.push({
        field: 'GATEWAY_TRUSTED_PROXIES',
        message: `${entry} is not an IP address or CIDR block`,
      });
      continue;
    }
    valid.push(`${address}/${bits}`);
  }
  return { valid, problems };
}

/**
 * The identity provider's keys decide who signs in: they are fetched over HTTPS only. Plain HTTP
 * is allowed for a loopback address alone, and only when GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP=true
 * says so explicitly (tests running a provider on the same machine).
 */
function jwksUrlProblem(jwksUrl: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    return 'the identity provider needs the https:// URL of its JWKS document';
  }
  if (url.protocol === 'https:') return undefined;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback && allowLoopbackHttp) return undefined;
  return loopback
    ? 'must be https://; plain http on loopback needs GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP=true (tests only)'
    : 'must be an https:// URL: the keys that decide who signs in are never fetched in clear';
}

/**
 * The private key's passphrase, from GATEWAY_KEY_PASSPHRASE_FILE (preferred: a secret file) or
 * GATEWAY_KEY_PASSPHRASE. The variable is removed from the environment once read so that child
 * processes and diagnostics never see it.
 */
export function readKeyPassphrase(env: Env = process.env): string {
  const file = env.GATEWAY_KEY_PASSPHRASE_FILE;
  const fromEnv = env.GATEWAY_KEY_PASSPHRASE;
  delete env.GATEWAY_KEY_PASSPHRASE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new GatewayError(
        ErrorCode.KEY_UNAVAILABLE,
        'the file named by GATEWAY_KEY_PASSPHRASE_FILE cannot be read',
      );
    }
  }
  if (fromEnv) return fromEnv;
  throw new GatewayError(
    ErrorCode.KEY_UNAVAILABLE,
    'set GATEWAY_KEY_PASSPHRASE_FILE or GATEWAY_KEY_PASSPHRASE',
  );
}

/**
 * Where the directory comes from: a folder (GATEWAY_DIRECTORY_DIR), or a signed document
 * (GATEWAY_DIRECTORY_FILE) with the directory authority's key to verify it
 * (GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE). Exactly one of the two.
 */
function directorySource(config: NodeConfig, env: Env): ErrorDetail[] {
  const folder = env.GATEWAY_DIRECTORY_DIR || undefined;
  const file = env.GATEWAY_DIRECTORY_FILE || undefined;
  const anchor = env.GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE || undefined;
  if (folder && file) {
    return [
      {
        field: 'GATEWAY_DIRECTORY_FILE',
        message: 'set GATEWAY_DIRECTORY_DIR or GATEWAY_DIRECTORY_FILE, not both',
      },
    ];
  }
  if (file) {
    config.directoryFile = file;
    config.directoryTrustAnchorFile = anchor;
    return anchor
      ? []
      : [
          {
            field: 'GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE',
            message: 'a signed directory is verified against GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE',
          },
        ];
  }
  if (folder) {
    config.directoryDir = folder;
    return [];
  }
  return [
    {
      field: 'GATEWAY_DIRECTORY_DIR',
      message: 'GATEWAY_DIRECTORY_DIR or GATEWAY_DIRECTORY_FILE must be set',
    },
  ];
}

function getPath(target: object, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], target);
}

function setPath(target: object, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = keys.reduce<Record<string, unknown>>(
    (node, key) => (node[key] ??= {}) as Record<string, unknown>,
    target as Record<string, unknown>,
  );
  parent[last] = value;
}

/**
 * A secret held in the file an environment variable names (a mounted secret in production). The
 * errors name the variable, never the file's content.
 */
export function readSecretFile(
  variable: string,
  purpose: string,
  minBytes: number,
  env: Env = process.env,
): Buffer {
  const file = env[variable];
  if (!file) throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, `set ${variable}: ${purpose}`);
  let secret: Buffer;
  try {
    secret = readFileSync(file);
  } catch {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      `the file named by ${variable} cannot be read`,
    );
  }
  if (secret.byteLength < minBytes) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      `the file named by ${variable} must hold at least ${minBytes} bytes`,
    );
  }
  return secret;
}
