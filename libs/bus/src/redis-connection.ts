import type { Type } from '@nestjs/common';
import type { ClientProvider, ClientProxy, MicroserviceOptions } from '@nestjs/microservices';
import { ClientRedis, ServerRedis, Transport } from '@nestjs/microservices';
import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { NodeConfig } from '#libs/node-config';

/**
 * Where the node's Redis is: `REDIS_URL`, the Sentinels that name the primary, or the nodes of a
 * Redis Cluster. Every key of the node carries one hash tag (`config.redis.prefix`), so that in a
 * Cluster they share one slot and BullMQ's scripts run there.
 */
export type RedisLocation = Pick<
  NodeConfig['redis'],
  'url' | 'sentinels' | 'sentinelName' | 'clusterNodes'
>;

/**
 * What the URL says besides where Redis is: user and password (ACL), database, and TLS for
 * `rediss:`. With Sentinels or a Cluster it names no host.
 */
function credentials(redis: RedisLocation): {
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
} {
  const parsed = new URL(redis.url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * An ioredis connection's options for one Redis or Sentinels (BullMQ, the event bus, the rate
 * counters). Behind Sentinels, ioredis asks them for the primary and asks again after a failover.
 * A Cluster needs a client of its own: `redisClient`.
 */
export function redisConnectionOptions(redis: RedisLocation): {
  host?: string;
  port?: number;
  sentinels?: Array<{ host: string; port: number }>;
  name?: string;
} & ReturnType<typeof credentials> {
  if (redis.sentinels?.length && redis.sentinelName) {
    return { sentinels: redis.sentinels, name: redis.sentinelName, ...credentials(redis) };
  }
  const parsed = new URL(redis.url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), ...credentials(redis) };
}

const SLOTS_REFRESH_TIMEOUT_MS = 5000;

/**
 * A client of the node's Redis with these options: a `Cluster` (slots followed as they move, the
 * options applied to each node's connection) when REDIS_CLUSTER_NODES is set, else a `Redis`.
 */
export function redisClient(redis: RedisLocation, options: RedisOptions = {}): Redis | Cluster {
  if (!redis.clusterNodes?.length)
    return new Redis({ ...redisConnectionOptions(redis), ...options });
  const { enableOfflineQueue, lazyConnect, ...perNode } = options;
  const access = credentials(redis);
  // A Cluster has one database: the URL's is not used.
  delete access.db;
  return new Cluster(redis.clusterNodes, {
    // The slot map is read again every few seconds; a busy process (starting up) may read the
    // answer late, which is no reason to report the Cluster unreachable (ioredis waits 1 s).
    slotsRefreshTimeout: SLOTS_REFRESH_TIMEOUT_MS,
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(lazyConnect !== undefined && { lazyConnect }),
    redisOptions: { ...perNode, ...access },
  });
}

/**
 * BullMQ's connection: options for one Redis or Sentinels (BullMQ makes its connections from
 * them), a Cluster client for a Cluster (BullMQ duplicates it where it needs more). Workers wait
 * for Redis for ever (ioredis reconnects); producers bound their own waits.
 */
export function queueConnection(redis: RedisLocation): ConnectionOptions {
  return redis.clusterNodes?.length
    ? redisClient(redis, { maxRetriesPerRequest: null })
    : { ...redisConnectionOptions(redis), maxRetriesPerRequest: null };
}

/** Delay between two reconnection attempts of the event bus. */
export const BUS_RETRY_DELAY_MS = 1000;

/**
 * The `@nestjs/microservices` Redis transport's options. Unless told to retry, the transport
 * gives up on the first lost connection and never subscribes again (a Redis restart would end
 * the mailbox events for good): it retries for ever, once a second, and ioredis subscribes again
 * on reconnection.
 */
function transportOptions(redis: RedisLocation) {
  return {
    ...redisConnectionOptions(redis),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: BUS_RETRY_DELAY_MS,
  };
}

type ClusterTransportOptions = ReturnType<typeof transportOptions> & { location: RedisLocation };

/** The transport's server on a Cluster: Nest's own, on a Cluster client (PUBLISH reaches every node). */
class ClusterServerRedis extends ServerRedis {
  constructor(private readonly location: RedisLocation) {
    super(transportOptions(location));
  }

  override createRedisClient() {
    return Promise.resolve(redisClient(this.location, { lazyConnect: true }) as unknown as Redis);
  }
}

/** The transport's client on a Cluster. */
class ClusterClientRedis extends ClientRedis {
  constructor(private readonly clusterOptions: ClusterTransportOptions) {
    super(clusterOptions);
  }

  override createClient() {
    return Promise.resolve(
      redisClient(this.clusterOptions.location, { lazyConnect: true }) as unknown as Redis,
    );
  }
}

/** How a process listens on the event bus (`app.connectMicroservice`). */
export function eventBusServer(redis: RedisLocation): MicroserviceOptions {
  return redis.clusterNodes?.length
    ? { strategy: new ClusterServerRedis(redis) }
    : { transport: Transport.REDIS, options: transportOptions(redis) };
}

/** How a process publishes on the event bus (`ClientsModule`). */
export function eventBusClient(redis: RedisLocation): ClientProvider {
  return redis.clusterNodes?.length
    ? {
        customClass: ClusterClientRedis as unknown as Type<ClientProxy>,
        options: { ...transportOptions(redis), location: redis },
      }
    : { transport: Transport.REDIS, options: transportOptions(redis) };
}
