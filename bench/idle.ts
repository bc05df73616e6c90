import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { LocalNetwork, repoRoot, type NodeSpec } from '#tools/local-network';
import { PrivatePostgres, PrivateRedis } from '../test/support/private-services.js';
import { machineInfo, positiveInteger, progressOf, round, sleep } from './support.js';

/*
 * What two idle nodes (a gateway and a worker each) ask of PostgreSQL: statements per second,
 * counted by pg_stat_statements on a PostgreSQL of the benchmark's own, once the nodes have started.
 * Periodic work (the audit chain, the mailbox poll, task leadership) is all there is to count.
 * Prints one JSON document; its PostgreSQL, Redis and work folder are removed at the end.
 */

const progress = progressOf('idle');
const SETTLE_MS = 5000;
const TOP = 8;

const NODES: NodeSpec[] = [
  {
    authorityId: 'FR-MOJ-BEPI',
    state: 'FR',
    name: 'Ministère de la Justice, Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    procedures: ['mla'],
    port: 4451,
  },
  {
    authorityId: 'NG-MOJ-CA',
    state: 'NG',
    name: 'Federal Ministry of Justice, Central Authority Unit',
    kind: 'central-authority',
    procedures: ['mla'],
    port: 4452,
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
  const seconds = positiveInteger('--seconds', values.seconds);
  progress('starting a PostgreSQL and a Redis of its own');
  const postgres = await PrivatePostgres.create({ durable: true, preload: ['pg_stat_statements'] });
  const redis = await PrivateRedis.create();
  const workDir = join(repoRoot(), '.bench-idle');
  const network = await LocalNetwork.create({
    name: 'idle',
    workDir,
    nodes: NODES,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    env: { LOG_LEVEL: 'warn' },
  });
  const pool = new pg.Pool({ connectionString: network.databaseUrl, max: 1 });
  try {
    progress(`starting ${NODES.map((node) => node.authorityId).join(' and ')}`);
    await network.startAll();
    await sleep(SETTLE_MS);
    await pool.query('create extension if not exists pg_stat_statements');
    await pool.query('select pg_stat_statements_reset()');
    progress(`counting the statements of ${seconds} s without traffic`);
    await sleep(seconds * 1000);
    const { rows } = await pool.query<{ calls: string; query: string }>(
      `select calls, query from pg_stat_statements
        where query not like '%pg_stat_statements%' order by calls desc`,
    );
    const statements = rows.reduce((sum, row) => sum + Number(row.calls), 0);
    const report = {
      benchmark: 'idle',
      nodes: NODES.length,
      processesPerNode: { gateways: 1, workers: 1 },
      seconds,
      statements,
      statementsPerSecond: round(statements / seconds),
      topStatements: rows.slice(0, TOP).map((row) => ({
        callsPerSecond: round(Number(row.calls) / seconds),
        query: row.query.replace(/\s+/g, ' ').slice(0, 120),
      })),
      machine: machineInfo(),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    progress('stopping the network');
    await network.stopAll();
    await pool.end();
    await postgres.destroy();
    await redis.destroy();
    rmSync(workDir, { recursive: true, force: true });
    progress('PostgreSQL, Redis and work folder removed');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
