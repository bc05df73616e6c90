import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Marks the benchmark's own SQL, which the statement count leaves out. */
export const BENCH_SQL = '/* bench */';

const POLL_MS = 200;
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/**
 * User plus system CPU of a process so far, from /proc; undefined once it has exited. With a
 * thread id, that thread's alone (a process's main thread, which runs its event loop, has the
 * process's id).
 */
export function processCpuMs(pid: number, threadId?: number): number | undefined {
  let stat: string;
  try {
    const path =
      threadId === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${threadId}/stat`;
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export interface Cost {
  /** The nodes' own processes (gateways and workers), CPU ms. */
  processCpuMs: number;
  /** The PostgreSQL backends serving them, CPU ms. */
  databaseCpuMs: number;
  /** Statements the PostgreSQL server ran for the nodes (pg_stat_statements, top level). */
  sqlStatements: number;
  /** Commands the Redis server ran for the nodes (INFO commandstats). */
  redisCommands: number;
  /** The statements run most often, with their calls: where a reduction would start. */
  topStatements: Array<{ calls: number; query: string }>;
  /** The Redis commands run most often. */
  topRedisCommands: Record<string, number>;
}

const TOP = 12;

/**
 * What an exchange costs, measured by the operating system and the servers rather than estimated:
 * CPU of the nodes' processes and of their PostgreSQL backends from /proc, statements from
 * pg_stat_statements, commands from Redis's own statistics. Backends come and go with the pools,
 * so they are sampled while the meter runs and each counted from when it was first seen.
 */
export class CostMeter {
  private readonly backends = new Map<number, { first: number; last: number }>();
  private processStart = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(
    /** A connection to the nodes' PostgreSQL server, as superuser. */
    private readonly admin: pg.Pool,
    private readonly redisUrl: string,
    private readonly pids: () => number[],
  ) {}

  async start(): Promise<void> {
    await this.admin.query(`${BENCH_SQL} create extension if not exists pg_stat_statements`);
    await this.admin.query(`${BENCH_SQL} select pg_stat_statements_reset()`);
    await this.redis((redis) => redis.config('RESETSTAT'));
    this.processStart = new Map(this.pids().map((pid) => [pid, processCpuMs(pid) ?? 0]));
    this.backends.clear();
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling ??= this.sample(false).finally(() => (this.sampling = undefined));
    }, POLL_MS);
  }

  /** Stops sampling without a count (a run that failed): nothing is read after the pool ends. */
  async cancel(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling?.catch(() => undefined);
  }

  async stop(): Promise<Cost> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const commands = await this.redis(async (redis) => {
      const info = await redis.info('commandstats');
      return [...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)]
        .map(([, name, count]) => ({ name, count: Number(count) }))
        .sort((a, b) => b.count - a.count);
    });
    // The RESETSTAT that started the count is in it; this INFO is not yet.
    const redisCommands = commands.reduce((sum, { count }) => sum + count, 0) - 1;
    const { rows } = await this.admin.query<{ calls: string; query: string }>(
      `${BENCH_SQL} select calls, query from pg_stat_statements
        where query not like $1 and query not like '%pg_stat_statements%' order by calls desc`,
      [`%${BENCH_SQL}%`],
    );
    let processCpu = 0;
    for (const [pid, start] of this.processStart) {
      processCpu += (processCpuMs(pid) ?? start) - start;
    }
    let databaseCpu = 0;
    for (const { first, last } of this.backends.values()) databaseCpu += last - first;
    return {
      processCpuMs: processCpu,
      databaseCpuMs: databaseCpu,
      sqlStatements: rows.reduce((sum, row) => sum + Number(row.calls), 0),
      redisCommands,
      topStatements: rows.slice(0, TOP).map((row) => ({
        calls: Number(row.calls),
        query: row.query.replace(/\s+/g, ' ').slice(0, 160),
      })),
      topRedisCommands: Object.fromEntries(
        commands.slice(0, TOP).map(({ name, count }) => [name, count]),
      ),
    };
  }

  private async sample(atStart: boolean): Promise<void> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `${BENCH_SQL} select pid from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    for (const { pid } of rows) {
      const cpu = processCpuMs(pid);
      if (cpu === undefined) continue;
      const known = this.backends.get(pid);
      if (known) known.last = cpu;
      // A backend that appears later started during the run: all its CPU is the run's.
      else this.backends.set(pid, { first: atStart ? cpu : 0, last: cpu });
    }
  }

  private async redis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
    // No ready check: its INFO would be counted as the nodes'.
    const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 1, enableReadyCheck: false });
    try {
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  }
}
