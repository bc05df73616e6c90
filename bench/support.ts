import { rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { LocalNetwork } from '#tools/local-network';

/** What every benchmark reports of the machine it ran on: other load makes figures noisier. */
export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  availableParallelism: number;
  cpuModel: string;
  totalMemoryGiB: number;
  loadAverage1m: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Progress lines go to stderr, so that stdout holds only the JSON result. */
export function progressOf(benchmark: string): (line: string) => void {
  return (line) => void process.stderr.write(`[${benchmark}] ${line}\n`);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${text}`);
  }
  return value;
}

export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: processors.length,
    availableParallelism: availableParallelism(),
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: round(totalmem() / 1024 ** 3),
    loadAverage1m: round(loadavg()[0]),
  };
}

/** Drops the benchmark's schemas, Redis keys and work folder. */
export async function removeNetwork(
  network: LocalNetwork,
  ids: readonly string[],
  progress: (line: string) => void,
): Promise<void> {
  const pool = new pg.Pool({ connectionString: network.databaseUrl, max: 1 });
  const redis = new Redis(network.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for (const id of ids) {
      await pool.query(`drop schema if exists ${network.schema(id)} cascade`);
      let cursor = '0';
      do {
        const [nextCursor, keys] = await redis.scan(
          cursor,
          'MATCH',
          `${network.prefix(id)}:*`,
          'COUNT',
          1000,
        );
        cursor = nextCursor;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    rmSync(network.options.workDir, { recursive: true, force: true });
    progress('schemas, Redis keys and work folder removed');
  } finally {
    await pool.end();
    redis.disconnect();
  }
}
