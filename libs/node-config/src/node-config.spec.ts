import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadNodeConfig, readKeyPassphrase, redisKeyPrefix } from './node-config.js';

const CONFIG_FILE = fileURLToPath(new URL('../../../config/gateway.json', import.meta.url));

type Env = Record<string, string | undefined>;

const REQUIRED: Env = {
  GATEWAY_CONFIG_FILE: CONFIG_FILE,
  GATEWAY_AUTHORITY_ID: 'FR-MOJ-BEPI',
  GATEWAY_DIRECTORY_DIR: '/etc/gateway/directory',
  GATEWAY_PRIVATE_KEY_FILE: '/run/secrets/fr-moj-bepi.asc',
};

/** The error thrown by `run`, which must be a GatewayError. */
function failure(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError, but nothing was thrown');
}

function configFailure(env: Env): GatewayError {
  const error = failure(() => loadNodeConfig(env));
  expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
  return error;
}

const fields = (error: GatewayError) => error.details.map((detail) => detail.field);

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'node-config-spec-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function scratchFile(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('loadNodeConfig', () => {
  it('loads the defaults from the config file plus the three required variables', () => {
    const defaults = JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    expect(defaults).toHaveProperty('$comment');
    delete defaults.$comment;
    const config = loadNodeConfig({ ...REQUIRED });
    expect(config).toEqual({
      ...defaults,
      authorityId: 'FR-MOJ-BEPI',
      hostedAuthorityIds: [],
      directoryDir: '/etc/gateway/directory',
      privateKeyFile: '/run/secrets/fr-moj-bepi.asc',
      // The configured prefix, as a hash tag.
      redis: { url: 'redis://127.0.0.1:6379', prefix: '{tip:gateway}' },
      // No SMTP URL: notifications off; mails would link to the node's own console.
      notifications: {
        ...(defaults.notifications as object),
        from: '',
        consoleUrl: 'http://127.0.0.1:4100/console/',
      },
    });
    expect(config).not.toHaveProperty('$comment');
    expect(config.http.port).toBe(4100);
    expect(config.inbound.replayWindowMs).toBe(93_600_000);
  });

  it('returns a fresh object each time (no shared mutable defaults)', () => {
    const first = loadNodeConfig({ ...REQUIRED });
    first.http.port = 1;
    expect(loadNodeConfig({ ...REQUIRED }).http.port).toBe(4100);
  });

  it.each<
    [
      variable: string,
      value: string,
      read: (c: ReturnType<typeof loadNodeConfig>) => unknown,
      expected: unknown,
    ]
  >([
    ['GATEWAY_HTTP_HOST', '0.0.0.0', (c) => c.http.host, '0.0.0.0'],
    ['GATEWAY_HTTP_PORT', '8443', (c) => c.http.port, 8443],
    ['GATEWAY_WORKER_HTTP_PORT', '9464', (c) => c.worker.httpPort, 9464],
    ['GATEWAY_WORKER_HTTP_HOST', '10.0.0.5', (c) => c.worker.httpHost, '10.0.0.5'],
    ['GATEWAY_MAX_ENVELOPE_BYTES', '2048', (c) => c.http.maxEnvelopeBytes, 2048],
    ['GATEWAY_MAX_JSON_BODY_BYTES', '4096', (c) => c.http.maxJsonBodyBytes, 4096],
    ['DATABASE_URL', 'postgres://gw@db:5432/gw', (c) => c.database.url, 'postgres://gw@db:5432/gw'],
    ['GATEWAY_DB_SCHEMA', 'node_fr', (c) => c.database.schema, 'node_fr'],
    ['REDIS_URL', 'redis://cache:6379/2', (c) => c.redis.url, 'redis://cache:6379/2'],
    ['GATEWAY_REDIS_PREFIX', 'fr', (c) => c.redis.prefix, '{tip:fr}'],
    ['GATEWAY_REDIS_PREFIX', '{fr}', (c) => c.redis.prefix, '{fr}'],
    ['GATEWAY_RETRY_WINDOW_MS', '3600000', (c) => c.delivery.retryWindowMs, 3_600_000],
    ['GATEWAY_RETRY_BASE_DELAY_MS', '1000', (c) => c.delivery.baseDelayMs, 1000],
    ['GATEWAY_RETRY_MAX_DELAY_MS', '60000', (c) => c.delivery.maxDelayMs, 60_000],
    ['GATEWAY_DELIVERY_TIMEOUT_MS', '10000', (c) => c.delivery.requestTimeoutMs, 10_000],
    ['GATEWAY_DELIVERY_CONCURRENCY', '2', (c) => c.delivery.concurrency, 2],
    ['GATEWAY_JOB_LOCK_MS', '45000', (c) => c.delivery.lockDurationMs, 45_000],
    ['GATEWAY_JOB_STALLED_INTERVAL_MS', '15000', (c) => c.delivery.stalledIntervalMs, 15_000],
    ['GATEWAY_RECONCILE_INTERVAL_MS', '5000', (c) => c.delivery.reconcileIntervalMs, 5000],
    ['GATEWAY_REPLAY_WINDOW_MS', '172800000', (c) => c.inbound.replayWindowMs, 172_800_000],
    ['GATEWAY_CLOCK_SKEW_MS', '60000', (c) => c.inbound.clockSkewMs, 60_000],
    ['GATEWAY_MAX_DECOMPRESSED_BYTES', '1000000', (c) => c.inbound.maxDecompressedBytes, 1_000_000],
    ['GATEWAY_DECRYPTION_WORKERS', '2', (c) => c.inbound.decryptionWorkers, 2],
    ['GATEWAY_DECRYPTION_TIMEOUT_MS', '5000', (c) => c.inbound.decryptionTimeoutMs, 5_000],
    ['GATEWAY_DECRYPTION_MEMORY_MB', '128', (c) => c.inbound.decryptionMemoryMb, 128],
    ['GATEWAY_KEY_EXPIRY_WARNING_DAYS', '30', (c) => c.keys.expiryWarningDays, 30],
    ['GATEWAY_KEY_EXPIRY_CHECK_INTERVAL_MS', '60000', (c) => c.keys.expiryCheckIntervalMs, 60_000],
  ])('%s=%s overrides the default', (variable, value, read, expected) => {
    const defaults = loadNodeConfig({ ...REQUIRED });
    expect(read(defaults)).not.toEqual(expected);
    expect(read(loadNodeConfig({ ...REQUIRED, [variable]: value }))).toEqual(expected);
  });

  it('keeps the default when a text override is empty', () => {
    expect(loadNodeConfig({ ...REQUIRED, GATEWAY_HTTP_HOST: '' }).http.host).toBe('127.0.0.1');
  });

  it('reports every missing required variable by name', () => {
    const error = configFailure({ GATEWAY_CONFIG_FILE: CONFIG_FILE });
    expect(fields(error)).toEqual([
      'GATEWAY_AUTHORITY_ID',
      'GATEWAY_DIRECTORY_DIR',
      'GATEWAY_PRIVATE_KEY_FILE',
    ]);
  });

  it.each(['GATEWAY_AUTHORITY_ID', 'GATEWAY_PRIVATE_KEY_FILE'])(
    'treats an empty %s as missing',
    (variable) => {
      const error = configFailure({ ...REQUIRED, [variable]: '' });
      expect(error.details).toEqual([{ field: variable, message: `${variable} must be set` }]);
    },
  );

  it('treats an empty GATEWAY_DIRECTORY_DIR as missing, naming the signed alternative', () => {
    const error = configFailure({ ...REQUIRED, GATEWAY_DIRECTORY_DIR: '' });
    expect(error.details).toEqual([
      {
        field: 'GATEWAY_DIRECTORY_DIR',
        message: 'GATEWAY_DIRECTORY_DIR or GATEWAY_DIRECTORY_FILE must be set',
      },
    ]);
  });

  describe('signed directory', () => {
    const signed: Env = {
      ...REQUIRED,
      GATEWAY_DIRECTORY_DIR: undefined,
      GATEWAY_DIRECTORY_FILE: '/etc/gateway/directory.asc',
      GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE: '/etc/gateway/directory-authority.asc',
    };

    it('reads the document and its trust anchor instead of a folder', () => {
      const config = loadNodeConfig(signed);
      expect(config.directoryFile).toBe('/etc/gateway/directory.asc');
      expect(config.directoryTrustAnchorFile).toBe('/etc/gateway/directory-authority.asc');
      expect(config.directoryDir).toBeUndefined();
    });

    it('refuses a signed directory without a trust anchor to verify it against', () => {
      const error = configFailure({ ...signed, GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE: '' });
      expect(fields(error)).toEqual(['GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE']);
    });

    it('refuses a folder and a signed document at once', () => {
      const error = configFailure({ ...signed, GATEWAY_DIRECTORY_DIR: '/etc/gateway/directory' });
      expect(fields(error)).toEqual(['GATEWAY_DIRECTORY_FILE']);
    });
  });

  it('refuses an authority id that does not look like one', () => {
    const error = configFailure({ ...REQUIRED, GATEWAY_AUTHORITY_ID: 'fr-moj-bepi' });
    expect(fields(error)).toEqual(['GATEWAY_AUTHORITY_ID']);
  });

  it('reads an identity provider, and refuses one without its JWKS document', () => {
    const config = loadNodeConfig({
      ...REQUIRED,
      GATEWAY_OIDC_ISSUER: 'https://idp.justice.example',
      GATEWAY_OIDC_JWKS_URL: 'https://idp.justice.example/jwks.json',
    });
    expect(config.auth.identityProvider).toEqual({
      issuer: 'https://idp.justice.example',
      jwksUrl: 'https://idp.justice.example/jwks.json',
      audience: 'gateway-api',
    });
    expect(loadNodeConfig(REQUIRED).auth.identityProvider).toBeUndefined();
    const error = configFailure({
      ...REQUIRED,
      GATEWAY_OIDC_ISSUER: 'https://idp.justice.example',
    });
    expect(fields(error)).toEqual(['GATEWAY_OIDC_JWKS_URL']);
  });

  it('fetches the identity provider’s keys over HTTPS only, loopback HTTP only when told (tests)', () => {
    const provider = (jwksUrl: string, allow?: string) => ({
      ...REQUIRED,
      GATEWAY_OIDC_ISSUER: 'https://idp.justice.example',
      GATEWAY_OIDC_JWKS_URL: jwksUrl,
      ...(allow !== undefined && { GATEWAY_OIDC_ALLOW_LOOPBACK_HTTP: allow }),
    });
    for (const [url, allow] of [
      ['http://idp.justice.example/jwks.json', 'true'],
      ['http://10.0.0.7/jwks.json', 'true'],
      ['http://127.0.0.1:4999/jwks.json', undefined],
      ['http://localhost:4999/jwks.json', 'yes'],
      ['ftp://idp.justice.example/jwks.json', 'true'],
    ] as const) {
      expect([url, fields(configFailure(provider(url, allow)))]).toEqual([
        url,
        ['GATEWAY_OIDC_JWKS_URL'],
      ]);
    }
    for (const url of ['http://127.0.0.1:4999/jwks.json', 'http://[::1]:4999/jwks.json']) {
      expect(loadNodeConfig(provider(url, 'true')).auth.identityProvider?.jwksUrl).toBe(url);
    }
  });

  it('reads the trusted proxies as CIDR blocks, and refuses anything else', () => {
    const config = loadNodeConfig({
      ...REQUIRED,
      GATEWAY_TRUSTED_PROXIES: ' 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32',
    });
    expect(config.http.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32']);
    expect(loadNodeConfig(REQUIRED).http.trustedProxies).toEqual([]);
    const error = configFailure({
      ...REQUIRED,
      GATEWAY_TRUSTED_PROXIES: '10.0.0.0/33,proxy.example,10.0.0.1/8/2,::1/129',
    });
    expect(fields(error)).toEqual(Array(4).fill('GATEWAY_TRUSTED_PROXIES'));
  });

  it('reads the authorities a hub hosts, and refuses another State or a malformed id', () => {
    const hub = loadNodeConfig({
      ...REQUIRED,
      GATEWAY_HOSTED_AUTHORITIES: ' FR-MININT-DGEF, FR-MOJ-BEPI ,',
    });
    expect(hub.hostedAuthorityIds).toEqual(['FR-MININT-DGEF']);
    const error = configFailure({ ...REQUIRED, GATEWAY_HOSTED_AUTHORITIES: 'IT-MOJ-DAG,fr-x' });
    expect(fields(error)).toEqual(['GATEWAY_HOSTED_AUTHORITIES', 'GATEWAY_HOSTED_AUTHORITIES']);
    expect(error.details.map((d) => String(d.message))).toEqual([
      'IT-MOJ-DAG belongs to another State: a hub serves the authorities of one State',
      'fr-x must look like FR-MOJ-BEPI',
    ]);
  });

  it.each(['eighty', '80abc', '', '0', '-1', '1.5', '9007199254740993', 'Infinity'])(
    'refuses GATEWAY_HTTP_PORT=%j as not a positive integer',
    (value) => {
      const error = configFailure({ ...REQUIRED, GATEWAY_HTTP_PORT: value });
      expect(error.details).toEqual([
        { field: 'http.port', message: expect.stringContaining('GATEWAY_HTTP_PORT') as string },
      ]);
    },
  );

  it.each(['nine', '0', '-1', '1.5', '65536', '123456'])(
    'refuses GATEWAY_WORKER_HTTP_PORT=%j as not a port',
    (value) => {
      const error = configFailure({ ...REQUIRED, GATEWAY_WORKER_HTTP_PORT: value });
      expect(error.details).toEqual([
        {
          field: 'GATEWAY_WORKER_HTTP_PORT',
          message: expect.stringContaining('GATEWAY_WORKER_HTTP_PORT') as string,
        },
      ]);
    },
  );

  it.each(['Gateway', 'gateway-fr', '1gateway', 'gw; drop table x', 'a'.repeat(64)])(
    'refuses the schema name %j',
    (schema) => {
      const error = configFailure({ ...REQUIRED, GATEWAY_DB_SCHEMA: schema });
      expect(fields(error)).toEqual(['database.schema']);
    },
  );

  it('accepts a 63-character schema name', () => {
    const schema = `_${'a'.repeat(62)}`;
    expect(loadNodeConfig({ ...REQUIRED, GATEWAY_DB_SCHEMA: schema }).database.schema).toBe(schema);
  });

  describe('replay window', () => {
    // Defaults: requestTimeoutMs 30 000, clockSkewMs 300 000.
    const withWindows = (retry: number, replay: number): Env => ({
      ...REQUIRED,
      GATEWAY_RETRY_WINDOW_MS: String(retry),
      GATEWAY_REPLAY_WINDOW_MS: String(replay),
    });

    it('refuses a replay window shorter than the retry window', () => {
      const error = configFailure(withWindows(86_400_000, 3_600_000));
      expect(fields(error)).toEqual(['inbound.replayWindowMs']);
    });

    it('refuses a replay window that leaves no room for the last attempt to arrive', () => {
      // The last attempt is made when the retry window closes: equal windows refuse it as a replay.
      expect(fields(configFailure(withWindows(3_600_000, 3_600_000)))).toEqual([
        'inbound.replayWindowMs',
      ]);
      expect(fields(configFailure(withWindows(3_600_000, 3_600_000 + 329_999)))).toEqual([
        'inbound.replayWindowMs',
      ]);
    });

    it('accepts a replay window covering retry window + request timeout + clock skew', () => {
      const config = loadNodeConfig(withWindows(3_600_000, 3_600_000 + 330_000));
      expect(config.inbound.replayWindowMs).toBe(3_930_000);
    });
  });

  describe('e-mail notifications', () => {
    it('are on with an SMTP URL and a sender address, linking to the console URL given', () => {
      const config = loadNodeConfig({
        ...REQUIRED,
        GATEWAY_SMTP_URL: 'smtp://relay:s3cret@mail.example.org:587',
        GATEWAY_NOTIFICATION_FROM: 'gateway@example.org',
        GATEWAY_CONSOLE_URL: 'https://gateway.example.org/console/',
      });
      expect(config.notifications).toMatchObject({
        smtpUrl: 'smtp://relay:s3cret@mail.example.org:587',
        from: 'gateway@example.org',
        consoleUrl: 'https://gateway.example.org/console/',
      });
    });

    it('refuse a URL that is not SMTP, or no sender, without repeating the URL', () => {
      const error = configFailure({
        ...REQUIRED,
        GATEWAY_SMTP_URL: 'http://user:s3cret@mail.example.org',
      });
      expect(fields(error)).toEqual(['GATEWAY_SMTP_URL', 'GATEWAY_NOTIFICATION_FROM']);
      expect(JSON.stringify(error)).not.toContain('s3cret');
    });
  });

  it('reports several problems at once', () => {
    const error = configFailure({
      GATEWAY_CONFIG_FILE: CONFIG_FILE,
      GATEWAY_DIRECTORY_DIR: '/etc/gateway/directory',
      GATEWAY_PRIVATE_KEY_FILE: '/run/secrets/key.asc',
      GATEWAY_HTTP_PORT: 'eighty',
      GATEWAY_DB_SCHEMA: 'Bad-Schema',
      GATEWAY_REPLAY_WINDOW_MS: '1000',
    });
    expect(fields(error).sort()).toEqual(
      ['GATEWAY_AUTHORITY_ID', 'database.schema', 'http.port', 'inbound.replayWindowMs'].sort(),
    );
  });

  it('fails with CONFIGURATION_INVALID when the config file cannot be read', () => {
    const missing = join(scratch, 'missing.json');
    const error = configFailure({ ...REQUIRED, GATEWAY_CONFIG_FILE: missing });
    expect(error.message).toContain(missing);
  });

  it('fails with CONFIGURATION_INVALID when the config file is not valid JSON', () => {
    const file = scratchFile('broken.json', '{ "http": ');
    expect(configFailure({ ...REQUIRED, GATEWAY_CONFIG_FILE: file }).message).toContain(file);
  });

  it.each(['null', '[]', '42'])(
    'fails with CONFIGURATION_INVALID when the file holds %s',
    (text) => {
      const file = scratchFile(`not-object-${text}.json`, text);
      expect(configFailure({ ...REQUIRED, GATEWAY_CONFIG_FILE: file }).message).toContain(file);
    },
  );

  it('lists the missing settings of a config file that lacks whole sections', () => {
    const { http } = JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as { http: unknown };
    const file = scratchFile('partial.json', JSON.stringify({ http }));
    const error = configFailure({ ...REQUIRED, GATEWAY_CONFIG_FILE: file });
    expect(fields(error)).toEqual(
      expect.arrayContaining([
        'database.url',
        'database.schema',
        'redis.url',
        'delivery.retryWindowMs',
        'inbound.replayWindowMs',
        'inbound.maxDecompressedBytes',
      ]),
    );
    expect(fields(error)).not.toContain('http.port');
  });

  it('lets the environment fill a section the file lacks', () => {
    const defaults = JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    const file = scratchFile('no-redis.json', JSON.stringify({ ...defaults, redis: undefined }));
    const config = loadNodeConfig({
      ...REQUIRED,
      GATEWAY_CONFIG_FILE: file,
      REDIS_URL: 'redis://cache:6379',
      GATEWAY_REDIS_PREFIX: 'fr',
    });
    expect(config.redis).toEqual({ url: 'redis://cache:6379', prefix: '{tip:fr}' });
  });

  it('puts every Redis key of the node under one hash tag (Redis Cluster)', () => {
    expect(loadNodeConfig(REQUIRED).redis.prefix).toBe('{tip:gateway}');
    expect(redisKeyPrefix('fr_node')).toBe('{tip:fr_node}');
    expect(redisKeyPrefix('tip:{fr}')).toBe('tip:{fr}');
    expect(redisKeyPrefix('{}')).toBeUndefined();
    expect(redisKeyPrefix('fr{')).toBeUndefined();
    expect(fields(configFailure({ ...REQUIRED, GATEWAY_REDIS_PREFIX: 'fr{' }))).toEqual([
      'redis.prefix',
    ]);
  });

  it('reads Redis Sentinels with the name they monitor the primary under, never one without the other', () => {
    const config = loadNodeConfig({
      ...REQUIRED,
      REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.2:26380,[2001:db8::7]:26379',
      REDIS_SENTINEL_NAME: 'tip',
    });
    expect(config.redis).toMatchObject({
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: '2001:db8::7', port: 26379 },
      ],
      sentinelName: 'tip',
    });
    expect(loadNodeConfig(REQUIRED).redis.sentinels).toBeUndefined();
    expect(fields(configFailure({ ...REQUIRED, REDIS_SENTINELS: 'sentinel-a:26379' }))).toEqual([
      'redis.sentinelName',
    ]);
    expect(fields(configFailure({ ...REQUIRED, REDIS_SENTINEL_NAME: 'tip' }))).toEqual([
      'redis.sentinels',
    ]);
    const error = configFailure({
      ...REQUIRED,
      REDIS_SENTINELS: 'sentinel-a,sentinel-b:0,sentinel-c:65536',
      REDIS_SENTINEL_NAME: 'tip',
    });
    expect(fields(error)).toEqual(Array(3).fill('REDIS_SENTINELS'));
  });

  it('reads the nodes of a Redis Cluster, and refuses them with Sentinels', () => {
    const config = loadNodeConfig({
      ...REQUIRED,
      REDIS_CLUSTER_NODES: 'redis-a:7000,10.0.0.3:7001',
    });
    expect(config.redis.clusterNodes).toEqual([
      { host: 'redis-a', port: 7000 },
      { host: '10.0.0.3', port: 7001 },
    ]);
    expect(loadNodeConfig(REQUIRED).redis.clusterNodes).toBeUndefined();
    const both = configFailure({
      ...REQUIRED,
      REDIS_CLUSTER_NODES: 'redis-a:7000',
      REDIS_SENTINELS: 'sentinel-a:26379',
      REDIS_SENTINEL_NAME: 'tip',
    });
    expect(fields(both)).toEqual(['redis.clusterNodes']);
    expect(fields(configFailure({ ...REQUIRED, REDIS_CLUSTER_NODES: 'redis-a' }))).toEqual([
      'REDIS_CLUSTER_NODES',
    ]);
  });
});

describe('readKeyPassphrase', () => {
  const PASSPHRASE = 'correct horse battery staple';

  it.each([
    ['a trailing LF', `${PASSPHRASE}\n`],
    ['a trailing CRLF', `${PASSPHRASE}\r\n`],
    ['no trailing newline', PASSPHRASE],
  ])('reads the passphrase file with %s', (_label, content) => {
    const file = scratchFile('passphrase.txt', content);
    expect(readKeyPassphrase({ GATEWAY_KEY_PASSPHRASE_FILE: file })).toBe(PASSPHRASE);
  });

  it('keeps leading and trailing spaces: only the final newline is stripped', () => {
    const file = scratchFile('spaced.txt', ' pass phrase \n');
    expect(readKeyPassphrase({ GATEWAY_KEY_PASSPHRASE_FILE: file })).toBe(' pass phrase ');
  });

  it('prefers the file and still removes GATEWAY_KEY_PASSPHRASE from the environment', () => {
    const file = scratchFile('preferred.txt', `${PASSPHRASE}\n`);
    const env: Env = { GATEWAY_KEY_PASSPHRASE_FILE: file, GATEWAY_KEY_PASSPHRASE: 'from-env' };
    expect(readKeyPassphrase(env)).toBe(PASSPHRASE);
    expect(env).not.toHaveProperty('GATEWAY_KEY_PASSPHRASE');
    expect(env.GATEWAY_KEY_PASSPHRASE_FILE).toBe(file);
  });

  it('reads GATEWAY_KEY_PASSPHRASE and removes it from the environment', () => {
    const env: Env = { GATEWAY_KEY_PASSPHRASE: PASSPHRASE, OTHER: 'kept' };
    expect(readKeyPassphrase(env)).toBe(PASSPHRASE);
    expect(env).toEqual({ OTHER: 'kept' });
    // Read once: a second reader (a child process, a diagnostic dump) finds nothing.
    expect(failure(() => readKeyPassphrase(env)).code).toBe(ErrorCode.KEY_UNAVAILABLE);
  });

  it.each<[string, Env]>([
    ['neither is set', {}],
    ['both are empty', { GATEWAY_KEY_PASSPHRASE_FILE: '', GATEWAY_KEY_PASSPHRASE: '' }],
  ])('throws KEY_UNAVAILABLE when %s', (_label, env) => {
    const error = failure(() => readKeyPassphrase(env));
    expect(error.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    expect(error.message).toContain('GATEWAY_KEY_PASSPHRASE_FILE');
    expect(env).not.toHaveProperty('GATEWAY_KEY_PASSPHRASE');
  });

  it('throws KEY_UNAVAILABLE for an unreadable file without echoing its path or the passphrase', () => {
    const missing = join(scratch, 'no-such-passphrase.txt');
    const env: Env = { GATEWAY_KEY_PASSPHRASE_FILE: missing, GATEWAY_KEY_PASSPHRASE: PASSPHRASE };
    const error = failure(() => readKeyPassphrase(env));
    expect(error.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    // The path is not echoed: an operator who put the passphrase itself in the variable would see it printed.
    expect(error.message).toContain('GATEWAY_KEY_PASSPHRASE_FILE');
    expect(error.message).not.toContain(missing);
    expect(`${String(error)} ${error.stack} ${JSON.stringify(error.details)}`).not.toContain(
      PASSPHRASE,
    );
    // Failing does not leave the passphrase behind for whoever handles the error.
    expect(env).not.toHaveProperty('GATEWAY_KEY_PASSPHRASE');
  });
});
