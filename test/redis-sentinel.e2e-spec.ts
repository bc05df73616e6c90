import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centralAuthority, LocalNetwork } from '#tools/local-network';
import { deliverMlaRequest, nodeDatabase, signIn, waitFor } from './support/network.js';
import { PrivateRedis } from './support/private-services.js';

/*
 * A node whose Redis is a primary and a replica watched by a Sentinel (issue 11, "Replicas as
 * the way to grow"): the gateway and worker processes find the primary through the Sentinel
 * (REDIS_SENTINELS, REDIS_SENTINEL_NAME), deliver through it, and follow a failover to the
 * replica without a restart; the queue's keys are then on the new primary.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const NAME = 'tip';

describe('a node on Redis behind a Sentinel', () => {
  let primary: PrivateRedis;
  let replica: PrivateRedis;
  let sentinel: PrivateRedis;
  let network: LocalNetwork;

  /** The address the Sentinel gives for the primary now. */
  const primaryPort = async () =>
    Number((await sentinel.cli('sentinel', 'get-master-addr-by-name', NAME)).split('\n')[1]);

  beforeAll(async () => {
    primary = await PrivateRedis.create();
    replica = await PrivateRedis.create({ replicaOf: primary });
    sentinel = await PrivateRedis.create({ sentinelOf: { name: NAME, primary } });
    await waitFor(
      async () => (await primary.cli('info', 'replication')).includes('connected_slaves:1'),
      'the replica to follow the primary',
      20_000,
    );
    network = await LocalNetwork.create({
      name: 'e2e_sentinel',
      workDir: join(tmpdir(), 'gateway-e2e-sentinel'),
      nodes: [centralAuthority(FR, 'BEPI', 4431), centralAuthority(NG, 'FMoJ', 4432)],
      // The URL names the first primary only for the network's own set-up; the processes ask the
      // Sentinel.
      redisUrl: primary.url,
      env: {
        LOG_LEVEL: 'warn',
        REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
        REDIS_SENTINEL_NAME: NAME,
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
      },
    });
    await signIn(network);
    await network.startAll();
  });

  afterAll(async () => {
    await network?.stopAll();
    for (const server of [sentinel, replica, primary]) await server?.destroy();
  });

  it('delivers through the primary the Sentinel names', async () => {
    expect(await primaryPort()).toBe(primary.port);
    await deliverMlaRequest(network, FR, NG, 'FR-SENTINEL-2026-0001');
    // The node's queue keys are on the primary (and copied to the replica), under its hash tag.
    const keys = await primary.cli('--scan', '--pattern', `${network.prefix(FR)}*`);
    expect(keys).not.toBe('');
  });

  it('follows a failover to the replica without a restart, and nothing is sent twice', async () => {
    expect(await sentinel.cli('sentinel', 'failover', NAME)).toBe('OK');
    await waitFor(
      async () => (await primaryPort()) === replica.port,
      'the Sentinel to promote the replica',
      30_000,
    );
    await waitFor(
      async () => (await replica.cli('role')).startsWith('master'),
      'the replica to take the primary role',
      30_000,
    );
    const after = await deliverMlaRequest(network, FR, NG, 'FR-SENTINEL-2026-0002');
    const keys = await replica.cli('--scan', '--pattern', `${network.prefix(FR)}*`);
    expect(keys).not.toBe('');
    // Each message once at NG, the one sent before the failover and the one after.
    const ngDb = nodeDatabase(network, NG);
    try {
      const received = await ngDb.query<{ n: number }>(
        "select count(*)::int as n from messages where direction = 'inbound'",
      );
      expect(received.rows[0].n).toBe(2);
      expect((await ngDb.query('select 1 from messages where id = $1', [after])).rowCount).toBe(1);
    } finally {
      await ngDb.end();
    }
  });
});
