import { isIP } from 'node:net';
import { z } from 'zod';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { AUTHORITY_ID_PATTERN } from '#libs/envelope';

/*
 * The one list of the node's settings: every environment variable the gateway, the worker and the
 * CLI read, with its type, its place in NodeConfig (and config/gateway.json) when it has one, its
 * default, whether it is required, who reads it, and what it is for. `loadNodeConfig` is driven by
 * it, the other readers take their names and parsing from it (readSetting), the README's table is
 * generated from it (npm run config:docs), and settings.spec.ts fails when the source reads a
 * variable it lacks or it lists one nothing reads.
 *
 * Types are zod schemas rather than class-validator classes: a setting is one value with a type,
 * not a class with decorated fields, and zod's schemas are plain values that can be listed, parsed
 * and described (the README's "type" column) without reflection metadata or Nest.
 */

/** The processes of a node that read a setting. */
export type NodeProcess = 'gateway' | 'worker' | 'cli';

/** The README's groups, in the order of its table. */
export const SETTING_GROUPS = [
  'Identity',
  'Directory',
  'Keys and node secrets',
  'Storage',
  'HTTP and TLS',
  'Inbound envelopes',
  'Delivery',
  'Sign-in and rate limits',
  'Deadlines, safeguards, retention and audit',
  'Evidence files',
  'Notifications',
  'Operation',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

/**
 * How a setting's value is read and checked: `fromEnv` turns the environment's text into the value
 * `schema` checks (the same schema checks a value of config/gateway.json). `emptyIsUnset`: an
 * empty variable counts as not set (text-like settings); for numbers and lists it is a value.
 */
export interface SettingType<T> {
  kind: string;
  /** What a valid value is, completing "must be ..." in problems (never the value itself). */
  expected: string;
  fromEnv: (raw: string) => unknown;
  schema: z.ZodType<T>;
  emptyIsUnset: boolean;
}

export interface Setting<V extends string = string, T = unknown> {
  variable: V;
  type: SettingType<T>;
  group: SettingGroup;
  description: string;
  readers: readonly NodeProcess[];
  /** Where the value lands in NodeConfig (and, for most, where config/gateway.json holds its default). */
  path?: string;
  /** The default when neither the environment nor config/gateway.json gives one. */
  fallback?: T;
  /**
   * `true`: the node does not start without it. A string names a set of alternatives, one of
   * which is required (`directory`: the signed document or a folder; `passphrase`).
   */
  required?: true | 'directory' | 'passphrase';
  /** May stay unset: the feature it configures is then off (no default). */
  optional?: true;
  /** A secret, or a file holding one: problems name the variable, never the value. */
  secret?: true;
}

const positive = z.number().int().positive();
/** Decimal text to a number; blank text is no number at all (not 0). */
const numberOf = (raw: string): number => (raw.trim() === '' ? Number.NaN : Number(raw));

/** A whole number above 0 (safe integer). */
export function positiveInteger(): SettingType<number> {
  return {
    kind: 'positive integer',
    expected: 'a positive integer',
    fromEnv: numberOf,
    schema: positive,
    emptyIsUnset: false,
  };
}

/** A whole number of at least 0. */
export function nonNegativeInteger(): SettingType<number> {
  return {
    kind: 'integer ≥ 0',
    expected: 'an integer of at least 0',
    fromEnv: numberOf,
    schema: z.number().int().nonnegative(),
    emptyIsUnset: false,
  };
}

/** A TCP port, written in decimal digits. */
export function port(): SettingType<number> {
  return {
    kind: 'port',
    expected: 'a positive integer (a port, 1 to 65535)',
    fromEnv: (raw) => (/^\d+$/.test(raw) ? Number(raw) : Number.NaN),
    schema: positive.max(65535),
    emptyIsUnset: false,
  };
}

/** Non-empty text, optionally matching a pattern. */
export function text(pattern?: RegExp, expected = 'a non-empty string'): SettingType<string> {
  const schema = z.string().min(1);
  return {
    kind: 'text',
    expected,
    fromEnv: (raw) => raw,
    schema: pattern ? schema.regex(pattern) : schema,
    emptyIsUnset: true,
  };
}

/** One of a few words. */
export function oneOf<const W extends readonly [string, ...string[]]>(
  words: W,
): SettingType<W[number]> {
  return {
    kind: `one of ${words.join(', ')}`,
    expected: `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`,
    fromEnv: (raw) => raw,
    schema: z.enum(words),
    emptyIsUnset: true,
  };
}

/** `true` turns it on; anything else leaves it off. */
export function flag(): SettingType<boolean> {
  return {
    kind: 'flag (true)',
    expected: 'true or unset',
    fromEnv: (raw) => raw === 'true',
    schema: z.boolean(),
    emptyIsUnset: true,
  };
}

/** An absolute URL of one of the given schemes. */
export function url(protocols: readonly string[]): SettingType<string> {
  const schemes = protocols.map((protocol) => `${protocol}//`);
  return {
    kind: `URL (${schemes.join(', ')})`,
    expected: `a ${schemes.join(' or ')} URL`,
    fromEnv: (raw) => raw,
    schema: z.string().refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }),
    emptyIsUnset: true,
  };
}

/** The path of a file the process reads (a mounted secret for the secret ones). */
export function file(): SettingType<string> {
  return { ...text(), kind: 'file path', expected: 'a file path' };
}

/** The path of a folder. */
export function folder(): SettingType<string> {
  return { ...text(), kind: 'folder path', expected: 'a folder path' };
}

/**
 * A comma-separated list (an array in config/gateway.json); blanks around items and empty items
 * are dropped. Each bad item is its own problem, in the words of the item's schema.
 */
export function list<T>(item: z.ZodType<T, string>, kind: string): SettingType<T[]> {
  return {
    kind: `list of ${kind}`,
    expected: `a comma-separated list of ${kind}`,
    fromEnv: (raw) =>
      raw
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    schema: z.array(item),
    emptyIsUnset: false,
  };
}

/** An address or CIDR block, as `address/bits`. */
const cidrBlock = z.string().transform((entry, context) => {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  const maxBits = family === 6 ? 128 : 32;
  const bits = prefix === undefined ? maxBits : Number(prefix);
  if (family === 0 || extra !== undefined || !/^\d+$/.test(String(bits)) || bits > maxBits) {
    context.addIssue({ code: 'custom', message: `${entry} is not an IP address or CIDR block` });
    return z.NEVER;
  }
  return `${address}/${bits}`;
});

/** `host:port`, as a Sentinel's address is written. */
const hostAndPort = z.string().transform((entry, context) => {
  const match = /^(.+):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) {
    context.addIssue({ code: 'custom', message: `${entry} is not host:port` });
    return z.NEVER;
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
});

const define = <const V extends string, T>(
  variable: V,
  type: SettingType<T>,
  meta: Omit<Setting<V, T>, 'variable' | 'type'>,
): Setting<V, T> => ({ variable, type, ...meta });

const ALL: readonly NodeProcess[] = ['gateway', 'worker', 'cli'];
const GATEWAY: readonly NodeProcess[] = ['gateway'];
const WORKER: readonly NodeProcess[] = ['worker'];
const SERVERS: readonly NodeProcess[] = ['gateway', 'worker'];
const CLI: readonly NodeProcess[] = ['cli'];
const ms = positiveInteger;

/** Every setting, in the README's order. */
export const SETTINGS = [
  // Identity
  define('GATEWAY_AUTHORITY_ID', text(AUTHORITY_ID_PATTERN, 'an authority id like FR-MOJ-BEPI'), {
    group: 'Identity',
    path: 'authorityId',
    required: true,
    readers: ALL,
    description: 'the authority this node serves',
  }),
  define('GATEWAY_HOSTED_AUTHORITIES', list(z.string(), 'authority ids'), {
    group: 'Identity',
    path: 'hostedAuthorityIds',
    fallback: [],
    readers: ALL,
    description: 'further authorities of the same State this node serves as a hub',
  }),
  // Directory
  define('GATEWAY_DIRECTORY_FILE', file(), {
    optional: true,
    group: 'Directory',
    path: 'directoryFile',
    required: 'directory',
    readers: ALL,
    description: 'the signed directory document',
  }),
  define('GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE', file(), {
    optional: true,
    group: 'Directory',
    path: 'directoryTrustAnchorFile',
    readers: ALL,
    description: "the directory authority's public key(s), to verify the signed directory",
  }),
  define('GATEWAY_DIRECTORY_DIR', folder(), {
    optional: true,
    group: 'Directory',
    path: 'directoryDir',
    required: 'directory',
    readers: ALL,
    description: 'or else a folder of authority files, one `*.json` per authority',
  }),
  define('GATEWAY_PRIVATE_KEY_FILE', file(), {
    group: 'Keys and node secrets',
    path: 'privateKeyFile',
    required: true,
    readers: ALL,
    description: "the node's key ring: armored private keys, one after another",
  }),
  define('GATEWAY_KEY_PASSPHRASE_FILE', file(), {
    group: 'Keys and node secrets',
    required: 'passphrase',
    secret: true,
    readers: ALL,
    description: "a file holding the key ring's passphrase (preferred)",
  }),
  define('GATEWAY_KEY_PASSPHRASE', text(), {
    group: 'Keys and node secrets',
    required: 'passphrase',
    secret: true,
    readers: ALL,
    description: 'or the passphrase itself; removed from the environment once read',
  }),
  define('GATEWAY_KEY_EXPIRY_WARNING_DAYS', positiveInteger(), {
    group: 'Keys and node secrets',
    path: 'keys.expiryWarningDays',
    readers: SERVERS,
    description: 'warn about keys that end within this many days',
  }),
  define('GATEWAY_KEY_EXPIRY_CHECK_INTERVAL_MS', ms(), {
    group: 'Keys and node secrets',
    path: 'keys.expiryCheckIntervalMs',
    readers: WORKER,
    description: "how often the worker checks the keys' expiry",
  }),
  define('GATEWAY_DATA_KEY_FILE', file(), {
    group: 'Keys and node secrets',
    required: true,
    secret: true,
    readers: ALL,
    description: 'exactly 32 random bytes: seals case content at rest',
  }),
  define('GATEWAY_DATA_KEY_RETIRED_FILES', list(z.string(), 'file paths'), {
    group: 'Keys and node secrets',
    fallback: [],
    secret: true,
    readers: ALL,
    description: 'earlier data keys: they open what they sealed, never seal',
  }),
  define('GATEWAY_TOKEN_SECRET_FILE', file(), {
    group: 'Keys and node secrets',
    required: true,
    secret: true,
    readers: ALL,
    description: "at least 32 random bytes: the key of the node's bearer tokens",
  }),
  define('GATEWAY_REGISTER_SECRET_FILE', file(), {
    group: 'Keys and node secrets',
    required: true,
    secret: true,
    readers: SERVERS,
    description:
      "at least 32 random bytes, the same on every node of a State: the register's keyed hashes",
  }),
  // Storage
  define('DATABASE_URL', url(['postgres:', 'postgresql:']), {
    group: 'Storage',
    path: 'database.url',
    secret: true,
    readers: ALL,
    description: 'PostgreSQL (may hold a password: never echoed)',
  }),
  define('GATEWAY_DB_SCHEMA', text(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier'), {
    group: 'Storage',
    path: 'database.schema',
    readers: ALL,
    description: "this node's schema",
  }),
  define('REDIS_URL', url(['redis:', 'rediss:']), {
    group: 'Storage',
    path: 'redis.url',
    secret: true,
    readers: ALL,
    description:
      'Redis (`rediss:` for TLS; may hold a user and password: never echoed). With Sentinels or a Cluster its host is not used (and a Cluster has no database)',
  }),
  define('REDIS_SENTINELS', list(hostAndPort, 'host:port addresses'), {
    group: 'Storage',
    path: 'redis.sentinels',
    optional: true,
    readers: ALL,
    description:
      'Redis Sentinels to ask for the primary (with `REDIS_SENTINEL_NAME`); `REDIS_URL` then gives only the user, password, database and TLS, and a failover is followed without a restart',
  }),
  define('REDIS_SENTINEL_NAME', text(), {
    group: 'Storage',
    path: 'redis.sentinelName',
    optional: true,
    readers: ALL,
    description: 'the name the Sentinels monitor the primary under',
  }),
  define('REDIS_CLUSTER_NODES', list(hostAndPort, 'host:port addresses'), {
    group: 'Storage',
    path: 'redis.clusterNodes',
    optional: true,
    readers: ALL,
    description:
      'nodes of a Redis Cluster to start from (the others are discovered); `REDIS_URL` then gives only the user, password and TLS. Not with `REDIS_SENTINELS`',
  }),
  define('GATEWAY_REDIS_PREFIX', text(), {
    group: 'Storage',
    path: 'redis.prefix',
    readers: ALL,
    description: "this node's key prefix, as a hash tag (`gateway`: keys under `{tip:gateway}`)",
  }),
  define('PG_BIN', folder(), {
    group: 'Storage',
    readers: CLI,
    description:
      "pg_dump and pg_restore of the server's major version (backup, restore); default the distribution's, else the PATH",
  }),
  // HTTP and TLS
  define('GATEWAY_HTTP_HOST', text(), {
    group: 'HTTP and TLS',
    path: 'http.host',
    readers: ['gateway', 'cli'],
    description: 'address the gateway listens on (`0.0.0.0` in a container)',
  }),
  define('GATEWAY_HTTP_PORT', port(), {
    group: 'HTTP and TLS',
    path: 'http.port',
    readers: ['gateway', 'cli'],
    description: 'port of the API, the peer endpoints and the console',
  }),
  define('GATEWAY_MAX_ENVELOPE_BYTES', positiveInteger(), {
    group: 'HTTP and TLS',
    path: 'http.maxEnvelopeBytes',
    readers: GATEWAY,
    description: 'largest envelope a peer may post',
  }),
  define('GATEWAY_MAX_JSON_BODY_BYTES', positiveInteger(), {
    group: 'HTTP and TLS',
    path: 'http.maxJsonBodyBytes',
    readers: GATEWAY,
    description: 'largest JSON body of the officer API',
  }),
  define('GATEWAY_TRUSTED_PROXIES', list(cidrBlock, 'addresses or CIDR blocks'), {
    group: 'HTTP and TLS',
    path: 'http.trustedProxies',
    readers: GATEWAY,
    description: 'reverse proxies whose X-Forwarded-For counts',
  }),
  define('GATEWAY_DOCS', oneOf(['off', 'authenticated', 'public']), {
    group: 'HTTP and TLS',
    path: 'http.docs',
    readers: GATEWAY,
    description: 'the OpenAPI document and UI at `/docs`',
  }),
  define('GATEWAY_TLS_CERT_FILE', file(), {
    optional: true,
    group: 'HTTP and TLS',
    path: 'tls.certFile',
    readers: SERVERS,
    description: "native HTTPS: the node's certificate, also its client certificate to peers",
  }),
  define('GATEWAY_TLS_KEY_FILE', file(), {
    optional: true,
    group: 'HTTP and TLS',
    path: 'tls.keyFile',
    secret: true,
    readers: SERVERS,
    description: "the certificate's private key (with the certificate)",
  }),
  define('GATEWAY_TLS_CA_FILE', file(), {
    optional: true,
    group: 'HTTP and TLS',
    path: 'tls.caFile',
    readers: SERVERS,
    description:
      "CAs vouching for peers' certificates; the peer endpoints then require one (mutual TLS)",
  }),
  define('GATEWAY_WORKER_HTTP_HOST', text(), {
    group: 'HTTP and TLS',
    path: 'worker.httpHost',
    readers: WORKER,
    description: "address of the worker's `/health` and `/metrics` server",
  }),
  define('GATEWAY_WORKER_HTTP_PORT', port(), {
    optional: true,
    group: 'HTTP and TLS',
    path: 'worker.httpPort',
    readers: WORKER,
    description: "port of the worker's `/health` and `/metrics` server: none without it",
  }),
  // Inbound envelopes
  define('GATEWAY_REPLAY_WINDOW_MS', ms(), {
    group: 'Inbound envelopes',
    path: 'inbound.replayWindowMs',
    readers: GATEWAY,
    description: 'how long envelope ids are remembered; must cover the retry window',
  }),
  define('GATEWAY_CLOCK_SKEW_MS', ms(), {
    group: 'Inbound envelopes',
    path: 'inbound.clockSkewMs',
    readers: SERVERS,
    description: "tolerated difference between the peers' clocks",
  }),
  define('GATEWAY_MAX_DECOMPRESSED_BYTES', positiveInteger(), {
    group: 'Inbound envelopes',
    path: 'inbound.maxDecompressedBytes',
    readers: GATEWAY,
    description: 'largest decompressed payload',
  }),
  define('GATEWAY_DECRYPTION_WORKERS', positiveInteger(), {
    group: 'Inbound envelopes',
    path: 'inbound.decryptionWorkers',
    readers: GATEWAY,
    description: 'threads decrypting envelopes off the event loop',
  }),
  define('GATEWAY_DECRYPTION_TIMEOUT_MS', ms(), {
    group: 'Inbound envelopes',
    path: 'inbound.decryptionTimeoutMs',
    readers: GATEWAY,
    description: 'a longer decryption is refused (503, the sender retries)',
  }),
  define('GATEWAY_DECRYPTION_MEMORY_MB', positiveInteger(), {
    group: 'Inbound envelopes',
    path: 'inbound.decryptionMemoryMb',
    readers: GATEWAY,
    description: 'heap limit of each decryption thread, in MB',
  }),
  // Delivery
  define('GATEWAY_RETRY_WINDOW_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.retryWindowMs',
    readers: SERVERS,
    description: 'how long a delivery is retried before it fails',
  }),
  define('GATEWAY_RETRY_BASE_DELAY_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.baseDelayMs',
    readers: WORKER,
    description: 'first retry delay (exponential backoff)',
  }),
  define('GATEWAY_RETRY_MAX_DELAY_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.maxDelayMs',
    readers: WORKER,
    description: 'longest retry delay',
  }),
  define('GATEWAY_DELIVERY_TIMEOUT_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.requestTimeoutMs',
    readers: SERVERS,
    description: "time limit of one attempt (and of questions to peers' registers)",
  }),
  define('GATEWAY_DELIVERY_CONCURRENCY', positiveInteger(), {
    group: 'Delivery',
    path: 'delivery.concurrency',
    readers: WORKER,
    description: 'deliveries in flight per worker',
  }),
  define('GATEWAY_JOB_LOCK_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.lockDurationMs',
    readers: WORKER,
    description: "lock of a delivery job: a dead worker's jobs resume after it",
  }),
  define('GATEWAY_JOB_STALLED_INTERVAL_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.stalledIntervalMs',
    readers: WORKER,
    description: 'how often stalled jobs are looked for',
  }),
  define('GATEWAY_RECONCILE_INTERVAL_MS', ms(), {
    group: 'Delivery',
    path: 'delivery.reconcileIntervalMs',
    readers: WORKER,
    description: 'how often pending messages without a job get one again',
  }),
  // Sign-in and rate limits
  define('GATEWAY_TOKEN_AUDIENCE', text(), {
    group: 'Sign-in and rate limits',
    path: 'auth.audience',
    readers: ALL,
    description: "audience of the node's bearer tokens",
  }),
  define('GATEWAY_MAX_TOKEN_TTL_SECONDS', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'auth.maxTokenTtlSeconds',
    readers: ALL,
    description: 'longest lifetime of a bearer token',
  }),
  define('GATEWAY_TOKEN_CLOCK_TOLERANCE_SECONDS', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'auth.clockToleranceSeconds',
    readers: GATEWAY,
    description: "tolerated clock difference on tokens' times",
  }),
  define('GATEWAY_OIDC_ISSUER', text(), {
    optional: true,
    group: 'Sign-in and rate limits',
    path: 'auth.identityProvider.issuer',
    readers: GATEWAY,
    description: 'an OpenID Connect identity provider (issuer); none without it',
  }),
  define('GATEWAY_OIDC_JWKS_URL', url(['https:', 'http:']), {
    optional: true,
    group: 'Sign-in and rate limits',
    path: 'auth.identityProvider.jwksUrl',
    readers: GATEWAY,
    description: "the provider's keys: https:// (required with the issuer)",
  }),
  define('GATEWAY_OIDC_AUDIENCE', text(), {
    optional: true,
    group: 'Sign-in and rate limits',
    path: 'auth.identityProvider.audience',
    readers: GATEWAY,
    description: "audience of the provider's tokens (default: the token audience)",
  }),
  define('GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP', flag(), {
    group: 'Sign-in and rate limits',
    fallback: false,
    readers: GATEWAY,
    description: 'tests only: allow a plain-http JWKS URL on loopback',
  }),
  define('GATEWAY_RATE_WINDOW_SECONDS', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'rateLimits.windowSeconds',
    readers: GATEWAY,
    description: 'the window of the rate limits',
  }),
  define('GATEWAY_RATE_LIMIT_PER_USER', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'rateLimits.perUser',
    readers: GATEWAY,
    description: 'requests per window of a signed-in user',
  }),
  define('GATEWAY_RATE_LIMIT_PER_PEER', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'rateLimits.perPeer',
    readers: GATEWAY,
    description: 'verified envelopes per window of a sender authority',
  }),
  define('GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'rateLimits.perPeerUnverified',
    readers: GATEWAY,
    description: 'peer posts not (yet) verified, per window, address and claimed sender',
  }),
  define('GATEWAY_RATE_LIMIT_PER_ADDRESS', positiveInteger(), {
    group: 'Sign-in and rate limits',
    path: 'rateLimits.perAddress',
    readers: GATEWAY,
    description: 'requests per window of a client address',
  }),
  // Deadlines, safeguards, retention and audit
  define('GATEWAY_DEADLINES_DIR', folder(), {
    group: 'Deadlines, safeguards, retention and audit',
    fallback: 'config/deadlines',
    readers: ALL,
    description: 'the deadline profiles',
  }),
  define('GATEWAY_DEADLINE_HORIZON_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'deadlines.horizonMs',
    readers: WORKER,
    description: 'timers due within it are put into Redis; at least twice the feed interval',
  }),
  define('GATEWAY_DEADLINE_FEED_INTERVAL_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'deadlines.feedIntervalMs',
    readers: WORKER,
    description: 'how often due timers are put into Redis',
  }),
  define('GATEWAY_POLICY_DIR', folder(), {
    group: 'Deadlines, safeguards, retention and audit',
    fallback: 'config/policy',
    readers: SERVERS,
    description: 'the safeguards policy settings',
  }),
  define('GATEWAY_REGISTER_CHECK_TIMEOUT_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'safeguards.registerCheckTimeoutMs',
    readers: SERVERS,
    description: "time limit of a check of another node's register",
  }),
  define('GATEWAY_HELD_RECHECK_INTERVAL_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'safeguards.heldRecheckIntervalMs',
    readers: WORKER,
    description: 'how often held submissions are checked again',
  }),
  define('GATEWAY_HELD_GIVE_UP_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'safeguards.heldGiveUpMs',
    readers: WORKER,
    description: 'when a held submission fails',
  }),
  define('GATEWAY_RETENTION_DIR', folder(), {
    group: 'Deadlines, safeguards, retention and audit',
    fallback: 'config/retention',
    readers: ALL,
    description: 'the retention profiles',
  }),
  define('GATEWAY_RETENTION_INTERVAL_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'retention.intervalMs',
    readers: WORKER,
    description: 'how often the erasure runs',
  }),
  define('GATEWAY_RETENTION_BATCH_SIZE', positiveInteger(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'retention.batchSize',
    readers: WORKER,
    description: 'cases erased per batch',
  }),
  define('GATEWAY_RETENTION_SUPERVISED_AFTER_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'retention.supervisedAfterMs',
    readers: WORKER,
    description: 'decided supervision items keep their draft and warning texts this long',
  }),
  define('GATEWAY_AUDIT_REFUSAL_WINDOW_SECONDS', positiveInteger(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'audit.anonymousRefusalWindowSeconds',
    readers: GATEWAY,
    description: 'anonymous refusals: one audited in full, then counted, per source and window',
  }),
  define('GATEWAY_AUDIT_WITNESS_INTERVAL_MS', ms(), {
    group: 'Deadlines, safeguards, retention and audit',
    path: 'audit.witnessIntervalMs',
    readers: WORKER,
    description: 'signing and sending the audit chain head to the peers',
  }),
  // Evidence files
  define('GATEWAY_FILES_DIR', folder(), {
    group: 'Evidence files',
    fallback: 'var/files',
    readers: SERVERS,
    description: "folder of the node's files, one sub-folder per schema",
  }),
  define('GATEWAY_FILES_MAX_BYTES', positiveInteger(), {
    group: 'Evidence files',
    fallback: 4 * 1024 ** 3,
    readers: SERVERS,
    description: 'largest file accepted',
  }),
  define('GATEWAY_FILES_QUOTA_BYTES', positiveInteger(), {
    group: 'Evidence files',
    fallback: 64 * 1024 ** 3,
    readers: SERVERS,
    description: 'bytes of uploads one authority may hold at once',
  }),
  define('GATEWAY_FILES_MIN_FREE_BYTES', nonNegativeInteger(), {
    group: 'Evidence files',
    fallback: 1024 ** 3,
    readers: SERVERS,
    description: 'free space kept beyond every accepted upload',
  }),
  define('GATEWAY_FILES_UNATTACHED_TTL_MS', ms(), {
    group: 'Evidence files',
    fallback: 86_400_000,
    readers: SERVERS,
    description: 'uploads not attached to a message within it are deleted',
  }),
  define('GATEWAY_FILES_SWEEP_INTERVAL_MS', ms(), {
    group: 'Evidence files',
    fallback: 60_000,
    readers: SERVERS,
    description: 'how often expired uploads are swept',
  }),
  define('GATEWAY_FILES_CHUNK_BYTES', positiveInteger(), {
    group: 'Evidence files',
    fallback: 8 * 1024 ** 2,
    readers: SERVERS,
    description: 'plaintext bytes per sealed chunk of a file sent with a message',
  }),
  // Notifications
  define('GATEWAY_SMTP_URL', url(['smtp:', 'smtps:']), {
    optional: true,
    group: 'Notifications',
    path: 'notifications.smtpUrl',
    secret: true,
    readers: ALL,
    description: 'the mail relay (may hold its password: never logged); e-mail off without it',
  }),
  define('GATEWAY_NOTIFICATION_FROM', text(), {
    group: 'Notifications',
    path: 'notifications.from',
    optional: true,
    readers: ALL,
    description: 'sender address of notifications (required with the SMTP URL)',
  }),
  define('GATEWAY_CONSOLE_URL', url(['http:', 'https:']), {
    optional: true,
    group: 'Notifications',
    path: 'notifications.consoleUrl',
    readers: ALL,
    description: "where mails link to (default: the node's own `/console/`)",
  }),
  define('GATEWAY_NOTIFICATION_INTERVAL_MS', ms(), {
    group: 'Notifications',
    path: 'notifications.sendIntervalMs',
    readers: WORKER,
    description: 'how often the worker sends pending mails',
  }),
  define('GATEWAY_NOTIFICATION_MAX_ATTEMPTS', positiveInteger(), {
    group: 'Notifications',
    path: 'notifications.maxAttempts',
    readers: WORKER,
    description: 'attempts per mail',
  }),
  define('GATEWAY_NOTIFICATION_RETRY_BASE_DELAY_MS', ms(), {
    group: 'Notifications',
    path: 'notifications.retryBaseDelayMs',
    readers: WORKER,
    description: 'first retry delay of a mail',
  }),
  define('GATEWAY_NOTIFICATION_RETRY_MAX_DELAY_MS', ms(), {
    group: 'Notifications',
    path: 'notifications.retryMaxDelayMs',
    readers: WORKER,
    description: 'longest retry delay of a mail',
  }),
  // Operation
  define('GATEWAY_CONFIG_FILE', file(), {
    group: 'Operation',
    fallback: 'config/gateway.json',
    readers: ALL,
    description: 'the defaults of every setting with a config path',
  }),
  define('LOG_LEVEL', oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    group: 'Operation',
    fallback: 'info',
    readers: ALL,
    description: 'pino level of the JSON logs',
  }),
  define('GATEWAY_CLOCK_OFFSET_FILE', file(), {
    group: 'Operation',
    readers: ALL,
    description:
      "tests and demo only: a file shifting the node's clock; the system clock without it",
  }),
  define('GATEWAY_TOKEN_FILE', file(), {
    group: 'Operation',
    secret: true,
    readers: CLI,
    description: "officer commands of the CLI: a file holding the officer's bearer token",
  }),
  define('GATEWAY_TOKEN', text(), {
    group: 'Operation',
    secret: true,
    readers: CLI,
    description: 'or the token itself',
  }),
] as const;

export type AnySetting = (typeof SETTINGS)[number];
export type SettingName = AnySetting['variable'];
/** The type of a setting's value. */
export type SettingValue<N extends SettingName> =
  Extract<AnySetting, { variable: N }> extends Setting<N, infer T> ? T : never;

const BY_NAME = new Map<string, Setting>(SETTINGS.map((setting) => [setting.variable, setting]));

export function settingOf<N extends SettingName>(name: N): Extract<AnySetting, { variable: N }> {
  return BY_NAME.get(name) as Extract<AnySetting, { variable: N }>;
}

type Env = Record<string, string | undefined>;

/** Whether config/gateway.json holds the setting's default, at its path (the variable overrides it). */
export function overridesFile(setting: Setting): boolean {
  return (
    setting.path !== undefined &&
    !setting.optional &&
    !setting.required &&
    setting.fallback === undefined
  );
}

/** Whether the environment gives the setting a value (an empty text counts as unset). */
export function isSet(setting: Setting, env: Env): boolean {
  const raw = env[setting.variable];
  return raw !== undefined && !(raw === '' && setting.type.emptyIsUnset);
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: ErrorDetail[] };

/**
 * Checks a setting's value (from the environment's text, or given: a config/gateway.json value).
 * Problems name `field` (the variable unless told) and say what was expected of the variable:
 * list items are named, other values never (a secret or a URL with a password must not reach a log).
 */
export function checkSetting<T>(
  setting: Setting<string, T>,
  value: unknown,
  field: string = setting.variable,
): Checked<T> {
  const result = setting.type.schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const itemised = Array.isArray(value) && !setting.secret;
  const problems = itemised
    ? result.error.issues.map((issue) => ({ field, message: issue.message }))
    : [{ field, message: `must be ${setting.type.expected} (${setting.variable})` }];
  return { ok: false, problems };
}

/**
 * A setting's value from the environment, or its default (`undefined` when it has none); throws
 * CONFIGURATION_INVALID naming the variable when the value is not of its type.
 */
export function readSetting<N extends SettingName>(
  name: N,
  env: Env = process.env,
): SettingValue<N> | undefined {
  const setting = settingOf(name) as unknown as Setting<N, SettingValue<N>>;
  if (!isSet(setting, env)) return setting.fallback;
  const checked = checkSetting(setting, setting.type.fromEnv(env[name]!));
  if (!checked.ok) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `${name} must be ${setting.type.expected}`,
      checked.problems,
    );
  }
  return checked.value;
}
