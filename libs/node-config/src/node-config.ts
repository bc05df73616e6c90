import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { AUTHORITY_ID_PATTERN } from '#libs/envelope';
import {
  checkSetting,
  isSet,
  overridesFile,
  readSetting,
  SETTINGS,
  type Setting,
  type SettingName,
} from './settings.js';

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
  /**
   * `prefix`: the prefix of every Redis key of the node (BullMQ queues, rate counters), always a
   * hash tag (`{tip:<GATEWAY_REDIS_PREFIX>}`, see redisKeyPrefix) so that the node's keys share
   * one Redis Cluster slot.
   */
  redis: {
    url: string;
    prefix: string;
    /** Sentinels that name the primary (REDIS_SENTINELS); `url` then gives password and database. */
    sentinels?: Array<{ host: string; port: number }>;
    sentinelName?: string;
    /** Nodes of a Redis Cluster to start from (REDIS_CLUSTER_NODES); `url` then gives the password. */
    clusterNodes?: Array<{ host: string; port: number }>;
  };
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
  /**
   * Deadline timers: PostgreSQL holds them all; every `feedIntervalMs` the node's leader puts
   * those due within `horizonMs` into Redis, in due order.
   */
  deadlines: { horizonMs: number; feedIntervalMs: number };
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
  /**
   * Anonymous refusals are audited one in full, then counted, per source and window (S7). Every
   * `witnessIntervalMs` the node signs its audit chain's head and sends it to its peers.
   */
  audit: { anonymousRefusalWindowSeconds: number; witnessIntervalMs: number };
  /** The erasure under the retention profiles (README, Retention): every interval, in batches. */
  retention: {
    intervalMs: number;
    batchSize: number;
    /** Decided supervised submissions keep their draft and warning texts this long. */
    supervisedAfterMs: number;
  };
  /** Warnings for keys that end within `expiryWarningDays`; the worker checks every interval. */
  keys: { expiryWarningDays: number; expiryCheckIntervalMs: number };
  /**
   * E-mail notifications (issue 14): off unless GATEWAY_SMTP_URL is set, in every process of the
   * node. `consoleUrl` is where mails link to (GATEWAY_CONSOLE_URL, else the node's own /console/).
   * The SMTP URL may carry credentials: it is never logged.
   */
  notifications: {
    smtpUrl?: string;
    from: string;
    consoleUrl: string;
    sendIntervalMs: number;
    maxAttempts: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
  };
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

/**
 * The prefix of a node's Redis keys: `{tip:<prefix>}`, a hash tag, so that every key of the node
 * (each BullMQ queue's keys, which its Lua scripts use together, the rate counters) hashes to the
 * same Redis Cluster slot. A prefix that already holds a hash tag (`{fr}`, `tip:{fr}`) is kept as
 * it is; one with a `{` that opens no non-empty tag is refused (undefined).
 */
export function redisKeyPrefix(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open === -1) return `{tip:${prefix}}`;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix : undefined;
}

/** The settings that make NodeConfig: those with a place in it. */
const CONFIG_SETTINGS = (SETTINGS as readonly Setting[]).filter(
  (setting) => setting.path !== undefined,
);

/**
 * A setting whose default lives in config/gateway.json is named by its path (the variable in the
 * message), any other by its variable, and so is each bad item of a list.
 */
function fieldOf(setting: Setting): string {
  return overridesFile(setting) && !setting.type.kind.startsWith('list')
    ? setting.path!
    : setting.variable;
}

/** Sets of alternatives of which loadNodeConfig needs one, and what it says when none is set. */
const REQUIRED_ONE_OF: Record<string, ErrorDetail> = {
  directory: {
    field: 'GATEWAY_DIRECTORY_DIR',
    message: 'GATEWAY_DIRECTORY_DIR or GATEWAY_DIRECTORY_FILE must be set',
  },
};

/**
 * Builds the node's configuration from `config/gateway.json` (or GATEWAY_CONFIG_FILE) and the
 * environment, as SETTINGS (settings.ts) declare them, and fails with every problem listed when
 * anything is missing or inconsistent. The key passphrase is deliberately not part of it: see
 * `readKeyPassphrase`.
 */
export function loadNodeConfig(env: Env = process.env): NodeConfig {
  const file = resolve(readSetting('GATEWAY_CONFIG_FILE', env) ?? 'config/gateway.json');
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

  const groupsChecked = new Set<string>();
  for (const setting of CONFIG_SETTINGS) {
    const { variable, path, required } = setting;
    const fromEnv = isSet(setting, env);
    const value = fromEnv
      ? setting.type.fromEnv(env[variable]!)
      : (getPath(config, path!) ?? setting.fallback);
    if (typeof required === 'string' && !groupsChecked.has(required)) {
      groupsChecked.add(required);
      const members = SETTINGS.filter((other) => other.required === required);
      const unset = members.every((member) => !isSet(member, env));
      if (unset && REQUIRED_ONE_OF[required]) problems.push(REQUIRED_ONE_OF[required]);
    }
    if (value === undefined) {
      if (required === true) problems.push({ field: variable, message: `${variable} must be set` });
      if (required || setting.optional) continue;
    }
    const checked = checkSetting(setting, value, fieldOf(setting));
    if (checked.ok) setPath(config, path!, checked.value);
    else problems.push(...checked.problems);
  }

  for (const refinement of REFINEMENTS) problems.push(...refinement(config, env));
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      'node configuration is invalid',
      problems,
    );
  }
  return config;
}

/**
 * The authorities a hub hosts: well-formed ids of its own State; its own id is dropped. Each
 * problem names the id, in the list's order.
 */
function hostedAuthorities(config: NodeConfig): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const own = config.authorityId as string | undefined;
  config.hostedAuthorityIds = (config.hostedAuthorityIds ?? []).filter((id) => id !== own);
  for (const id of config.hostedAuthorityIds) {
    if (!AUTHORITY_ID_PATTERN.test(id)) {
      problems.push({
        field: 'GATEWAY_HOSTED_AUTHORITIES',
        message: `${id} must look like FR-MOJ-BEPI`,
      });
    } else if (own && id.slice(0, 2) !== own.slice(0, 2)) {
      problems.push({
        field: 'GATEWAY_HOSTED_AUTHORITIES',
        message: `${id} belongs to another State: a hub serves the authorities of one State`,
      });
    }
  }
  return problems;
}

/**
 * Where the directory comes from: a folder (GATEWAY_DIRECTORY_DIR), or a signed document
 * (GATEWAY_DIRECTORY_FILE) with the directory authority's key to verify it
 * (GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE). Exactly one of the two (none: reported as required).
 */
function directorySource(config: NodeConfig): ErrorDetail[] {
  if (config.directoryDir && config.directoryFile) {
    return [
      {
        field: 'GATEWAY_DIRECTORY_FILE',
        message: 'set GATEWAY_DIRECTORY_DIR or GATEWAY_DIRECTORY_FILE, not both',
      },
    ];
  }
  if (config.directoryFile && !config.directoryTrustAnchorFile) {
    return [
      {
        field: 'GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE',
        message: 'a signed directory is verified against GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE',
      },
    ];
  }
  if (config.directoryDir) delete config.directoryTrustAnchorFile;
  return [];
}

/** Native HTTPS needs the certificate and its key; the CA file alone does not make HTTPS. */
function tlsPair(config: NodeConfig): ErrorDetail[] {
  const tls = config.tls as Partial<NonNullable<NodeConfig['tls']>> | undefined;
  if (!tls) return [];
  if (tls.certFile && tls.keyFile) return [];
  return [
    {
      field: tls.certFile ? 'GATEWAY_TLS_KEY_FILE' : 'GATEWAY_TLS_CERT_FILE',
      message: 'HTTPS needs both the certificate and its private key',
    },
  ];
}

/**
 * The identity provider: none without an issuer. Its keys decide who signs in: they are fetched
 * over HTTPS only; plain HTTP is allowed for a loopback address alone, and only when
 * GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP=true says so explicitly (tests running a provider on the same
 * machine). Its audience is the node's token audience unless GATEWAY_OIDC_AUDIENCE says otherwise.
 */
function identityProvider(config: NodeConfig, env: Env): ErrorDetail[] {
  const provider = config.auth?.identityProvider as
    Partial<NonNullable<NodeConfig['auth']['identityProvider']>> | undefined;
  if (!provider) return [];
  if (!provider.issuer) {
    delete config.auth.identityProvider;
    return [];
  }
  provider.audience ??= config.auth.audience;
  // A URL that is not one at all has been reported with its setting.
  if (provider.jwksUrl === undefined && env.GATEWAY_OIDC_JWKS_URL) return [];
  const allowLoopbackHttp = readSetting('GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP', env) ?? false;
  const problem = jwksUrlProblem(provider.jwksUrl, allowLoopbackHttp);
  return problem ? [{ field: 'GATEWAY_OIDC_JWKS_URL', message: problem }] : [];
}

function jwksUrlProblem(
  jwksUrl: string | undefined,
  allowLoopbackHttp: boolean,
): string | undefined {
  if (jwksUrl === undefined)
    return 'the identity provider needs the https:// URL of its JWKS document';
  const url = new URL(jwksUrl); // checked by its setting's type
  if (url.protocol === 'https:') return undefined;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback && allowLoopbackHttp) return undefined;
  return loopback
    ? 'must be https://; plain http on loopback needs GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP=true (tests only)'
    : 'must be an https:// URL: the keys that decide who signs in are never fetched in clear';
}

/**
 * E-mail: an `smtp:` or `smtps:` URL and a sender address, or nothing at all (notifications off).
 * Problems name the variable, never the URL, which may hold the relay's password. Mails link to
 * GATEWAY_CONSOLE_URL, else to the node's own console.
 */
function notificationSettings(config: NodeConfig, env: Env): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const notifications = config.notifications ?? ({} as NodeConfig['notifications']);
  // Set, even if refused for its scheme: the sender is needed all the same.
  const smtp = notifications.smtpUrl !== undefined || Boolean(env.GATEWAY_SMTP_URL);
  if (smtp && !/^[^\s@<>]+@[^\s@<>]+$/.test(notifications.from ?? '')) {
    problems.push({
      field: 'GATEWAY_NOTIFICATION_FROM',
      message:
        'must be the sender address of notifications (name@domain) when GATEWAY_SMTP_URL is set',
    });
  }
  notifications.from ??= '';
  const scheme = config.tls ? 'https' : 'http';
  notifications.consoleUrl ??= `${scheme}://${String(getPath(config, 'http.host'))}:${String(getPath(config, 'http.port'))}/console/`;
  config.notifications = notifications;
  return problems;
}

/** Redis keys under one hash tag (see redisKeyPrefix). */
function redisPrefixTag(config: NodeConfig): ErrorDetail[] {
  const prefix = getPath(config, 'redis.prefix');
  if (typeof prefix !== 'string' || prefix === '') return [];
  const tagged = redisKeyPrefix(prefix);
  if (tagged !== undefined) {
    setPath(config, 'redis.prefix', tagged);
    return [];
  }
  return [
    {
      field: 'redis.prefix',
      message: 'a { must open a non-empty hash tag closed by } (GATEWAY_REDIS_PREFIX)',
    },
  ];
}

/**
 * The last attempt is made when the retry window closes; it may take the request timeout to
 * arrive and the receiving clock may be ahead by the tolerated skew.
 */
function replayWindow(config: NodeConfig): ErrorDetail[] {
  const latestArrival =
    Number(getPath(config, 'delivery.retryWindowMs')) +
    Number(getPath(config, 'delivery.requestTimeoutMs')) +
    Number(getPath(config, 'inbound.clockSkewMs'));
  if (Number(getPath(config, 'inbound.replayWindowMs')) >= latestArrival) return [];
  return [
    {
      field: 'inbound.replayWindowMs',
      message:
        'must be at least delivery.retryWindowMs + delivery.requestTimeoutMs + inbound.clockSkewMs, or late retries of genuine envelopes would be refused as replays',
    },
  ];
}

/** Sentinels and the name they monitor the primary under come together. */
function redisSentinels(config: NodeConfig, env: Env): ErrorDetail[] {
  const sentinels = getPath(config, 'redis.sentinels') as unknown[] | undefined;
  const name = getPath(config, 'redis.sentinelName');
  const withSentinels = sentinels !== undefined && sentinels.length > 0;
  // Sentinels given but unreadable are already reported under REDIS_SENTINELS.
  const unreadable = sentinels === undefined && (env.REDIS_SENTINELS ?? '').trim() !== '';
  if (withSentinels === (name !== undefined) || unreadable) return [];
  return [
    withSentinels
      ? {
          field: 'redis.sentinelName',
          message: 'is required with redis.sentinels (REDIS_SENTINEL_NAME)',
        }
      : {
          field: 'redis.sentinels',
          message: 'is required with redis.sentinelName (REDIS_SENTINELS)',
        },
  ];
}

/** One way to find Redis: a Cluster's nodes or Sentinels, not both. */
function redisTopology(config: NodeConfig): ErrorDetail[] {
  const cluster = getPath(config, 'redis.clusterNodes') as unknown[] | undefined;
  const sentinels = getPath(config, 'redis.sentinels') as unknown[] | undefined;
  if (!cluster?.length || !sentinels?.length) return [];
  return [
    {
      field: 'redis.clusterNodes',
      message:
        'is a Redis Cluster, which Sentinels do not serve: give REDIS_CLUSTER_NODES or REDIS_SENTINELS',
    },
  ];
}

/** A timer must reach Redis before it is due: each feed looks further ahead than the next one. */
function deadlineHorizon(config: NodeConfig): ErrorDetail[] {
  const horizon = Number(getPath(config, 'deadlines.horizonMs'));
  if (horizon >= 2 * Number(getPath(config, 'deadlines.feedIntervalMs'))) return [];
  return [
    { field: 'deadlines.horizonMs', message: 'must be at least twice deadlines.feedIntervalMs' },
  ];
}

/**
 * The checks across settings, run once every setting has been read and typed (a setting that
 * failed its type is absent from the config they see), in this order. Some complete the config:
 * the hosted list without the node's own id, the identity provider's audience, the console URL,
 * the Redis prefix as a hash tag.
 */
const REFINEMENTS: ReadonlyArray<(config: NodeConfig, env: Env) => ErrorDetail[]> = [
  hostedAuthorities,
  directorySource,
  tlsPair,
  identityProvider,
  notificationSettings,
  redisPrefixTag,
  redisSentinels,
  redisTopology,
  replayWindow,
  deadlineHorizon,
];

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
  variable: SettingName,
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
