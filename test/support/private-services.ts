import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A TCP port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of the test's own, in a temporary directory on a free port: the faults
 * suite stops, restarts and reconfigures it, never the shared server on 5432. Run as the
 * `postgres` user when the suite runs as root (PostgreSQL refuses to run as root).
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /**
   * `durable` keeps fsync and synchronous commits (a benchmark measures what a node pays);
   * `preload` names shared libraries such as pg_stat_statements.
   */
  static async create(
    options: { durable?: boolean; preload?: string[] } = {},
  ): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'faults-pg-'));
    const port = await freePort();
    const server = new PrivatePostgres(dir, port);
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await server.pgCommand('initdb', [
      '-D',
      server.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    appendFileSync(
      join(server.dataDir, 'postgresql.conf'),
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'max_connections = 200',
        // For the faults suite durability is not under test (a restart is clean, not a crash).
        ...(options.durable
          ? []
          : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
        ...(options.preload?.length
          ? [`shared_preload_libraries = '${options.preload.join(',')}'`]
          : []),
        '',
      ].join('\n'),
    );
    await server.start();
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private pgCommand(command: string, args: string[]): Promise<{ stdout: string }> {
    const binary = join(PG_BIN, command);
    return process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', binary, ...args], { cwd: this.dir })
      : run(binary, args, { cwd: this.dir });
  }

  async start(): Promise<void> {
    await this.pgCommand('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** Fast shutdown: every session is ended (57P01), as in a restart for maintenance. */
  async stop(): Promise<void> {
    await this.pgCommand('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  /** Runs statements as the superuser on a connection of its own. */
  async admin(statements: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Makes every new transaction read-only (25006 on any write), or lifts it; applied at once. */
  async setReadOnly(readOnly: boolean): Promise<void> {
    await this.admin([
      // This session must be able to change the setting back.
      'set default_transaction_read_only = off',
      readOnly
        ? 'alter system set default_transaction_read_only = on'
        : 'alter system reset default_transaction_read_only',
      'select pg_reload_conf()',
    ]);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * What a private Redis is besides a primary: a replica, a Sentinel watching a primary, or a node
 * of a Redis Cluster (`PrivateRedis.cluster` makes one).
 */
export interface RedisRole {
  replicaOf?: { port: number };
  sentinelOf?: { name: string; primary: { port: number } };
  clusterNode?: boolean;
}

/**
 * A Redis server of the test's own on a free port, without persistence: a restart loses every
 * key, as a Redis without AOF that crashed would. Also a replica of another (`replicaOf`), or a
 * Sentinel watching a primary under a name (`sentinelOf`).
 */
export class PrivateRedis {
  private process?: ChildProcess;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly role: RedisRole,
  ) {}

  static async create(role: RedisRole = {}): Promise<PrivateRedis> {
    const server = new PrivateRedis(
      mkdtempSync(join(tmpdir(), 'faults-redis-')),
      await freePort(),
      role,
    );
    await server.start();
    return server;
  }

  /**
   * A Redis Cluster of `masters` nodes without replicas, its slots spread over them, ready to
   * serve every slot.
   */
  static async cluster(masters = 3): Promise<PrivateRedis[]> {
    const nodes: PrivateRedis[] = [];
    try {
      for (let i = 0; i < masters; i++)
        nodes.push(await PrivateRedis.create({ clusterNode: true }));
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      const deadline = Date.now() + 30_000;
      for (const node of nodes) {
        while (!(await node.cli('cluster', 'info')).includes('cluster_state:ok')) {
          if (Date.now() > deadline) throw new Error('the Redis Cluster did not become ready');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      return nodes;
    } catch (error) {
      for (const node of nodes) await node.destroy();
      throw error;
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Runs redis-cli against this server. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout.trim();
  }

  async start(): Promise<void> {
    if (this.process) throw new Error('redis is already running');
    const { replicaOf, sentinelOf, clusterNode } = this.role;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--logfile',
      join(this.dir, 'redis.log'),
      ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf.port)] : []),
      ...(clusterNode
        ? [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(this.dir, 'nodes.conf'),
            '--cluster-node-timeout',
            '5000',
          ]
        : []),
    ];
    if (sentinelOf) {
      // A Sentinel rewrites its configuration file: it needs one of its own.
      const config = join(this.dir, 'sentinel.conf');
      writeFileSync(
        config,
        [
          `sentinel monitor ${sentinelOf.name} 127.0.0.1 ${sentinelOf.primary.port} 1`,
          `sentinel down-after-milliseconds ${sentinelOf.name} 1000`,
          `sentinel failover-timeout ${sentinelOf.name} 10000`,
          '',
        ].join('\n'),
      );
      args.unshift(config, '--sentinel');
    }
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = child;
    child.once('exit', () => {
      if (this.process === child) this.process = undefined;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await this.cli('ping');
        return;
      } catch {
        if (Date.now() > deadline) throw new Error('redis did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Killed outright: nothing is saved, every key is lost. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
