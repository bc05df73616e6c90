import { randomBytes } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { get as httpsGet } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { issueToken, ROLES, tokenSettingsOf, type Role } from '#libs/access';
import type { AuthorityKind, Competence } from '#libs/directory';
import { generateAuthorityKeyPair, type Procedure } from '#libs/envelope';
import { publishDirectory } from '#libs/keys';
import { PROCEDURES } from '#libs/kernel';
import { loadNodeConfig } from '#libs/node-config';

export interface NodeSpec {
  authorityId: string;
  state: string;
  name: string;
  kind: AuthorityKind;
  procedures: Procedure[];
  port: number;
  /** Endpoint published in the directory, when peers must reach the node through something else (a proxy). */
  advertisedEndpoint?: string;
  /** Further authorities of the same State this node serves as a hub, sharing its endpoint and keys. */
  hosted?: Array<Pick<NodeSpec, 'authorityId' | 'name' | 'kind' | 'procedures' | 'competence'>>;
  /** What the authority is competent for, as its directory entry states it (the finder's data). */
  competence?: Competence;
  /**
   * Ports of further gateway processes of the node (instance 1, 2...): the same schema, Redis
   * prefix and keys, as behind a load balancer. The directory names the first one.
   */
  extraGatewayPorts?: number[];
  /** Environment of this node's processes only (e.g. its own retention profiles), over `env`. */
  env?: Record<string, string>;
  /** The first worker's HTTP port for /health and /metrics (GATEWAY_WORKER_HTTP_PORT); none without. */
  workerPort?: number;
  /**
   * Native HTTPS with mutual TLS on the peer endpoints: the node's certificate and key, the CA
   * that vouches for peers, and the pins its directory entry publishes (SHA-256, hex).
   */
  tls?: { certFile: string; keyFile: string; caFile: string; pins?: string[] };
}

/**
 * A central authority's node serving the four procedures, its State read from the id's first two
 * letters: the node most tests need.
 */
export function centralAuthority(authorityId: string, name: string, port: number): NodeSpec {
  return {
    authorityId,
    state: authorityId.slice(0, 2),
    name,
    kind: 'central-authority',
    procedures: [...PROCEDURES],
    port,
  };
}

/** Every node gets one account per role and authority: `<authority id, lower case>.<role>`. */
export function accountName(authorityId: string, role: Role): string {
  return `${authorityId.toLowerCase()}.${role}`;
}

export interface LocalNetworkOptions {
  /** Prefix of every schema and Redis key prefix of this network, so that runs do not meet. */
  name: string;
  workDir: string;
  nodes: NodeSpec[];
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra environment for every process (delivery timings in tests, log level). */
  env?: Record<string, string>;
}

type Component = 'gateway' | 'worker';

const processKey = (authorityId: string, component: Component, instance: number) =>
  `${authorityId}:${component}:${instance}`;

const run = promisify(execFile);

/** Finds the repository root from compiled (dist/) or source locations alike. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'apps'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

/**
 * How long a test waits for a node: ready in seconds on an idle machine, but three nodes' six
 * processes compiling and migrating at once on two busy cores have taken over a minute.
 */
const READY_TIMEOUT_MS = 150_000;

/**
 * A network of gateway nodes on loopback, each a real gateway process and a real worker process
 * with its own keys, PostgreSQL schema and Redis prefix. Used by the demo, the benchmarks and the
 * end-to-end tests.
 */
export class LocalNetwork {
  private readonly processes = new Map<string, ChildProcess>();
  private lastIssuedAt = 0;
  readonly databaseUrl: string;
  readonly redisUrl: string;

  private constructor(readonly options: LocalNetworkOptions) {
    this.databaseUrl =
      options.databaseUrl ??
      process.env.DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres';
    this.redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  }

  /**
   * Generates keys and the shared directory, wipes any state left by an earlier run of the same
   * name, and creates each node's standard accounts.
   */
  static async create(options: LocalNetworkOptions): Promise<LocalNetwork> {
    const network = new LocalNetwork({ ...options, workDir: resolve(options.workDir) });
    const { workDir } = network.options;
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(join(workDir, 'directory', 'keys'), { recursive: true });
    mkdirSync(join(workDir, 'secrets'), { recursive: true, mode: 0o700 });
    mkdirSync(join(workDir, 'logs'), { recursive: true });
    await Promise.all([
      network.provisionDirectoryAuthority(),
      ...options.nodes.map((node) => network.provision(node)),
    ]);
    await network.publishDirectory();
    await network.resetState();
    await Promise.all(options.nodes.map((node) => network.createAccounts(node.authorityId)));
    return network;
  }

  private async provision(node: NodeSpec): Promise<void> {
    const { workDir } = this.options;
    const passphrase = randomBytes(24).toString('base64url');
    const pair = await generateAuthorityKeyPair({
      authorityId: node.authorityId,
      authorityName: node.name,
      passphrase,
    });
    const validFrom = new Date().toISOString();
    writeFileSync(join(workDir, 'secrets', `${node.authorityId}.passphrase`), passphrase, {
      mode: 0o600,
    });
    writeFileSync(join(workDir, 'secrets', `${node.authorityId}.key.asc`), pair.privateKeyArmored, {
      mode: 0o600,
    });
    writeFileSync(join(workDir, 'secrets', `${node.authorityId}.data-key`), randomBytes(32), {
      mode: 0o600,
    });
    // The register's keyed hashes are the State's: every node of a State holds the same secret.
    const registerSecret = join(workDir, 'secrets', `${node.state}.register-secret`);
    if (!existsSync(registerSecret)) {
      writeFileSync(registerSecret, randomBytes(32), { mode: 0o600, flag: 'wx' });
    }
    writeFileSync(join(workDir, 'secrets', `${node.authorityId}.token-secret`), randomBytes(32), {
      mode: 0o600,
    });
    writeFileSync(
      join(workDir, 'directory', 'keys', `${node.authorityId}.asc`),
      pair.publicKeyArmored,
    );
    const entry = {
      id: node.authorityId,
      state: node.state,
      name: node.name,
      kind: node.kind,
      endpoint: node.advertisedEndpoint ?? this.url(node.authorityId),
      procedures: node.procedures,
      ...(node.tls?.pins && { tlsPins: node.tls.pins }),
      ...(node.competence && { competence: node.competence }),
      keys: [
        { fingerprint: pair.fingerprint, publicKeyFile: `keys/${node.authorityId}.asc`, validFrom },
      ],
    };
    writeFileSync(
      join(workDir, 'directory', `${node.authorityId}.json`),
      `${JSON.stringify(entry, null, 2)}\n`,
    );
    for (const hosted of node.hosted ?? []) {
      const { authorityId: id, ...rest } = hosted;
      writeFileSync(
        join(workDir, 'directory', `${id}.json`),
        // A hosted authority states its own competence, never its host's.
        `${JSON.stringify({ ...entry, competence: undefined, id, ...rest }, null, 2)}\n`,
      );
    }
  }

  /** The directory authority: its key signs the directory every node verifies. */
  private async provisionDirectoryAuthority(): Promise<void> {
    const { workDir } = this.options;
    const passphrase = randomBytes(24).toString('base64url');
    const pair = await generateAuthorityKeyPair({
      authorityId: 'directory',
      authorityName: 'Directory authority',
      passphrase,
    });
    writeFileSync(join(workDir, 'secrets', 'directory-authority.passphrase'), passphrase, {
      mode: 0o600,
    });
    writeFileSync(join(workDir, 'secrets', 'directory-authority.key.asc'), pair.privateKeyArmored, {
      mode: 0o600,
    });
    writeFileSync(this.trustAnchorFile, pair.publicKeyArmored);
  }

  /** The signed directory the nodes load (GATEWAY_DIRECTORY_FILE). */
  get directoryFile(): string {
    return join(this.options.workDir, 'directory.asc');
  }

  /** The directory authority's public key, the nodes' trust anchor. */
  get trustAnchorFile(): string {
    return join(this.options.workDir, 'directory-trust-anchor.asc');
  }

  /**
   * Signs the directory folder into the document the nodes load: after a change to the folder,
   * publish, then restart the nodes. Unless told otherwise, each publication is issued later than
   * the last, since nodes refuse a directory older than one they accepted.
   */
  async publishDirectory(issuedAt?: Date): Promise<void> {
    const { workDir } = this.options;
    const at = issuedAt ?? new Date(Math.max(Date.now(), this.lastIssuedAt + 1));
    this.lastIssuedAt = Math.max(this.lastIssuedAt, at.getTime());
    await publishDirectory({
      directory: join(workDir, 'directory'),
      signingKeyFile: join(workDir, 'secrets', 'directory-authority.key.asc'),
      passphrase: readFileSync(join(workDir, 'secrets', 'directory-authority.passphrase'), 'utf8'),
      issuedAt: at,
      out: this.directoryFile,
    });
  }

  /** The authorities a node serves: its own, then those it hosts. */
  authoritiesOf(nodeId: string): string[] {
    const node = this.node(nodeId);
    return [node.authorityId, ...(node.hosted ?? []).map((h) => h.authorityId)];
  }

  /**
   * Creates accounts through the CLI's `users import`, the same audited path an operator takes;
   * by default the standard ones, one per role and authority served by the node.
   */
  async createAccounts(
    nodeId: string,
    accounts: Array<{
      username: string;
      roles: Role[];
      authorityId?: string;
      kind?: 'person' | 'service';
      jits?: string[];
      externalIdentity?: { issuer: string; subject: string };
    }> = this.authoritiesOf(nodeId).flatMap((authorityId) =>
      ROLES.map((role) => ({
        username: accountName(authorityId, role),
        authorityId,
        roles: [role],
      })),
    ),
  ): Promise<void> {
    const complete = accounts.map((account) => ({
      kind: 'person',
      authorityId: nodeId,
      ...account,
    }));
    const file = join(this.options.workDir, 'secrets', `${nodeId}.accounts.json`);
    writeFileSync(file, JSON.stringify(complete));
    await this.cli(nodeId, ['users', 'import', '--file', file]);
  }

  /** Runs a CLI command on a node, with the node's environment. */
  cli(
    nodeId: string,
    args: string[],
    extraEnv: Record<string, string> = {},
  ): Promise<{ stdout: string; stderr: string }> {
    return run(
      process.execPath,
      [join(repoRoot(), 'dist', 'apps', 'cli', 'src', 'main.js'), ...args],
      {
        cwd: repoRoot(),
        env: {
          PATH: process.env.PATH ?? '',
          LOG_LEVEL: 'warn',
          ...this.environment(nodeId),
          ...extraEnv,
        },
      },
    );
  }

  /** A bearer token for an account of the authority's node, signed with the node's token secret. */
  async token(authorityId: string, username: string, ttlSeconds = 3600): Promise<string> {
    const nodeId = this.hostOf(authorityId).authorityId;
    const config = loadNodeConfig({ ...process.env, ...this.environment(nodeId) });
    const secret = readFileSync(join(this.options.workDir, 'secrets', `${nodeId}.token-secret`));
    return issueToken(
      tokenSettingsOf(config, nodeId, secret),
      { username, authorityId },
      ttlSeconds,
    );
  }

  /** The node that serves an authority (itself, or the hub hosting it). */
  hostOf(authorityId: string): NodeSpec {
    const node = this.options.nodes.find(
      (n) => n.authorityId === authorityId || n.hosted?.some((h) => h.authorityId === authorityId),
    );
    if (!node) throw new Error(`no node serves ${authorityId} in this network`);
    return node;
  }

  private async resetState(): Promise<void> {
    const pool = new pg.Pool({ connectionString: this.databaseUrl, max: 1 });
    const redis = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const node of this.options.nodes) {
        await pool.query(`drop schema if exists ${this.schema(node.authorityId)} cascade`);
        const keys = await redis.keys(`${this.prefix(node.authorityId)}:*`);
        if (keys.length > 0) await redis.del(...keys);
      }
    } finally {
      await pool.end();
      redis.disconnect();
    }
  }

  node(authorityId: string): NodeSpec {
    const node = this.options.nodes.find((n) => n.authorityId === authorityId);
    if (!node) throw new Error(`no node ${authorityId} in this network`);
    return node;
  }

  /** The base URL of an authority's node: its first gateway process, or another instance. */
  url(authorityId: string, instance = 0): string {
    const node = this.hostOf(authorityId);
    const port = instance === 0 ? node.port : node.extraGatewayPorts?.[instance - 1];
    if (port === undefined)
      throw new Error(`${node.authorityId} has no gateway instance ${instance}`);
    return `${node.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  schema(authorityId: string): string {
    return `${this.options.name}_${authorityId}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  }

  /** The prefix of the node's Redis keys (GATEWAY_REDIS_PREFIX): a hash tag, `{tip:<schema>}`. */
  prefix(authorityId: string): string {
    return `{tip:${this.schema(authorityId)}}`;
  }

  logFile(authorityId: string, component: Component, instance = 0): string {
    const name = instance === 0 ? component : `${component}-${instance}`;
    return join(this.options.workDir, 'logs', `${authorityId}.${name}.log`);
  }

  environment(authorityId: string): Record<string, string> {
    const { workDir } = this.options;
    const node = this.node(authorityId);
    return {
      GATEWAY_AUTHORITY_ID: authorityId,
      GATEWAY_DIRECTORY_FILE: this.directoryFile,
      GATEWAY_DIRECTORY_TRUST_ANCHOR_FILE: this.trustAnchorFile,
      GATEWAY_PRIVATE_KEY_FILE: join(workDir, 'secrets', `${authorityId}.key.asc`),
      GATEWAY_KEY_PASSPHRASE_FILE: join(workDir, 'secrets', `${authorityId}.passphrase`),
      GATEWAY_REGISTER_SECRET_FILE: join(workDir, 'secrets', `${node.state}.register-secret`),
      GATEWAY_DATA_KEY_FILE: join(workDir, 'secrets', `${authorityId}.data-key`),
      GATEWAY_FILES_DIR: join(workDir, 'files'),
      GATEWAY_TOKEN_SECRET_FILE: join(workDir, 'secrets', `${authorityId}.token-secret`),
      GATEWAY_HOSTED_AUTHORITIES: (node.hosted ?? []).map((h) => h.authorityId).join(','),
      GATEWAY_HTTP_PORT: String(node.port),
      GATEWAY_DB_SCHEMA: this.schema(authorityId),
      GATEWAY_REDIS_PREFIX: this.prefix(authorityId),
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      ...(node.tls && {
        GATEWAY_TLS_CERT_FILE: node.tls.certFile,
        GATEWAY_TLS_KEY_FILE: node.tls.keyFile,
        GATEWAY_TLS_CA_FILE: node.tls.caFile,
      }),
      ...this.options.env,
      ...node.env,
    };
  }

  /**
   * Starts a gateway or worker process of a node (instance 0, or a further instance: a gateway on
   * one of `extraGatewayPorts`, another worker); its JSON logs go to the instance's log file.
   */
  start(authorityId: string, component: Component, instance = 0): ChildProcess {
    const key = processKey(authorityId, component, instance);
    if (this.processes.has(key)) throw new Error(`${key} is already running`);
    const root = repoRoot();
    const port =
      component === 'gateway' ? new URL(this.url(authorityId, instance)).port : undefined;
    const workerPort =
      component === 'worker' && instance === 0 ? this.node(authorityId).workerPort : undefined;
    const child = spawn(
      process.execPath,
      [join(root, 'dist', 'apps', component, 'src', 'main.js')],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
          ...this.environment(authorityId),
          ...(port !== undefined && { GATEWAY_HTTP_PORT: port }),
          ...(workerPort !== undefined && { GATEWAY_WORKER_HTTP_PORT: String(workerPort) }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log = createWriteStream(this.logFile(authorityId, component, instance), { flags: 'a' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.processes.set(key, child);
    child.once('exit', () => {
      this.processes.delete(key);
      log.end();
    });
    return child;
  }

  /** Starts gateway and worker of each node and waits until every gateway is ready. */
  async startAll(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    for (const node of this.options.nodes) {
      this.start(node.authorityId, 'gateway');
      this.start(node.authorityId, 'worker');
    }
    await Promise.all(
      this.options.nodes.map((node) => this.waitReady(node.authorityId, timeoutMs)),
    );
  }

  async waitReady(authorityId: string, timeoutMs = READY_TIMEOUT_MS, instance = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.processes.has(processKey(authorityId, 'gateway', instance))) {
        throw new Error(
          `${authorityId} gateway ${instance} exited during start-up; see ${this.logFile(authorityId, 'gateway', instance)}`,
        );
      }
      try {
        if ((await this.httpGet(authorityId, '/health/ready', instance)) === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${authorityId} not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The process id of a running gateway or worker: its CPU time in /proc, and the same id later means it was never restarted. */
  pid(authorityId: string, component: Component, instance = 0): number | undefined {
    return this.processes.get(processKey(authorityId, component, instance))?.pid;
  }

  /** The status of a GET on a node, over HTTPS (trusting the node's CA) when it runs TLS. */
  private httpGet(authorityId: string, path: string, instance: number): Promise<number> {
    const url = `${this.url(authorityId, instance)}${path}`;
    const tls = this.hostOf(authorityId).tls;
    if (!tls) return fetch(url).then((response) => response.status);
    return new Promise((resolve, reject) => {
      httpsGet(url, { ca: readFileSync(tls.caFile) }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject);
    });
  }

  isRunning(authorityId: string, component: Component, instance = 0): boolean {
    return this.processes.has(processKey(authorityId, component, instance));
  }

  /** Stops a process: SIGTERM lets it finish in-flight work; SIGKILL simulates a crash. */
  async stop(
    authorityId: string,
    component: Component,
    signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM',
    instance = 0,
  ): Promise<void> {
    const child = this.processes.get(processKey(authorityId, component, instance));
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.processes.keys()].map((key) => {
        const [authorityId, component, instance] = key.split(':') as [string, Component, string];
        return this.stop(authorityId, component, 'SIGTERM', Number(instance));
      }),
    );
  }
}
