import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centralAuthority, LocalNetwork } from '#tools/local-network';
import { deliverMlaRequest, nodeDatabase, signIn } from './support/network.js';
import { PrivateRedis } from './support/private-services.js';

/*
 * Two nodes on one Redis Cluster of three masters (issue 11, "Replicas as the way to grow"): the
 * gateway and worker processes start from one node of the Cluster (REDIS_CLUSTER_NODES) and
 * discover the rest; BullMQ, the event bus and the rate counters run on it. Every key of a node
 * carries its hash tag, so all of them sit in one slot, on the master that serves it.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';

describe('nodes on a Redis Cluster', () => {
  let cluster: PrivateRedis[];
  let network: LocalNetwork;

  beforeAll(async () => {
    cluster = await PrivateRedis.cluster(3);
    network = await LocalNetwork.create({
      name: 'e2e_cluster',
      workDir: join(tmpdir(), 'gateway-e2e-cluster'),
      nodes: [centralAuthority(FR, 'BEPI', 4441), centralAuthority(NG, 'FMoJ', 4442)],
      // The URL serves only the network's own set-up (a new Cluster holds no key to clear).
      redisUrl: cluster[0].url,
      env: {
        LOG_LEVEL: 'warn',
        REDIS_CLUSTER_NODES: `127.0.0.1:${cluster[0].port}`,
        // On a Cluster the URL's host is not used: nothing listens there, so no process could
        // get by on a plain client of one Cluster node.
        REDIS_URL: 'redis://127.0.0.1:1',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
      },
    });
    await signIn(network);
    await network.startAll();
  });

  afterAll(async () => {
    await network?.stopAll();
    for (const server of cluster ?? []) await server.destroy();
  });

  /** The keys of an authority's node, read from the master that serves its hash tag's slot. */
  const keysOf = async (authorityId: string) => {
    const prefix = network.prefix(authorityId);
    const slot = Number(await cluster[0].cli('cluster', 'keyslot', prefix));
    const owner = await ownerOf(slot);
    const keys = (await owner.cli('--scan', '--pattern', `${prefix}*`)).split('\n').filter(Boolean);
    return { slot, owner, keys };
  };

  /** The master serving a slot, as `CLUSTER NODES` lists it: `id host:port@bus flags … ranges`. */
  const ownerOf = async (slot: number) => {
    for (const line of (await cluster[0].cli('cluster', 'nodes')).split('\n')) {
      const fields = line.split(' ');
      const serves = fields.slice(8).some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from && slot <= to;
      });
      const port = Number(fields[1]?.split('@')[0].split(':')[1]);
      const server = cluster.find((s) => s.port === port);
      if (serves && server) return server;
    }
    throw new Error(`no master serves slot ${slot}`);
  };

  it('delivers both ways, each message once, with every key of a node in its one slot', async () => {
    await deliverMlaRequest(network, FR, NG, 'FR-CLUSTER-2026-0001');
    await deliverMlaRequest(network, NG, FR, 'NG-CLUSTER-2026-0001');
    for (const authorityId of [FR, NG]) {
      const db = nodeDatabase(network, authorityId);
      try {
        const received = await db.query<{ n: number }>(
          "select count(*)::int as n from messages where direction = 'inbound'",
        );
        expect(received.rows[0].n).toBe(1);
      } finally {
        await db.end();
      }
      const { slot, owner, keys } = await keysOf(authorityId);
      // Queues, and the rate counters of the API calls and of the peer's deliveries.
      expect(keys.some((key) => key.includes(':rate:'))).toBe(true);
      expect(keys.some((key) => key.includes(':peer-rate:'))).toBe(true);
      for (const key of keys) {
        expect(Number(await owner.cli('cluster', 'keyslot', key))).toBe(slot);
      }
      // No process fell back to counting alone.
      const log = readFileSync(network.logFile(authorityId, 'gateway'), 'utf8');
      expect(log).not.toContain('Redis unreachable');
    }
  });
});
