import { Transport } from '@nestjs/microservices';
import { Cluster, Redis } from 'ioredis';
import {
  eventBusClient,
  eventBusServer,
  queueConnection,
  redisClient,
} from './redis-connection.js';

const single = { url: 'redis://:s%40cret@redis.example:6380/2' };
const cluster = {
  url: 'redis://:s%40cret@ignored:6379',
  clusterNodes: [
    { host: 'redis-a', port: 7000 },
    { host: 'redis-b', port: 7001 },
  ],
};

describe('the node’s Redis client, by where Redis is', () => {
  it('is one Redis from the URL, with its password and database', () => {
    const client = redisClient(single, { lazyConnect: true });
    try {
      expect(client).toBeInstanceOf(Redis);
      expect((client as Redis).options).toMatchObject({
        host: 'redis.example',
        port: 6380,
        password: 's@cret',
        db: 2,
      });
    } finally {
      client.disconnect();
    }
  });

  it('is a Cluster client from REDIS_CLUSTER_NODES, the password applied to every node', () => {
    const client = redisClient(cluster, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: 500,
    });
    try {
      expect(client).toBeInstanceOf(Cluster);
      expect((client as Cluster).options).toMatchObject({
        lazyConnect: true,
        enableOfflineQueue: false,
        redisOptions: { password: 's@cret', commandTimeout: 500 },
      });
    } finally {
      client.disconnect();
    }
  });

  it('reads an ACL user and TLS (rediss:) from the URL, for one Redis and for a Cluster', () => {
    const url = 'rediss://gateway:s%40cret@redis.example:6380';
    const client = redisClient({ url }, { lazyConnect: true });
    const nodes = redisClient({ ...cluster, url }, { lazyConnect: true });
    try {
      expect((client as Redis).options).toMatchObject({ username: 'gateway', tls: {} });
      expect((nodes as Cluster).options.redisOptions).toMatchObject({
        username: 'gateway',
        password: 's@cret',
        tls: {},
      });
      expect((nodes as Cluster).options.redisOptions).not.toHaveProperty('db');
      expect((redisClient(single, { lazyConnect: true }) as Redis).options.tls).toBeUndefined();
    } finally {
      client.disconnect();
      nodes.disconnect();
    }
  });

  it('gives BullMQ options for one Redis and a Cluster client for a Cluster', () => {
    expect(queueConnection(single)).toMatchObject({
      host: 'redis.example',
      maxRetriesPerRequest: null,
    });
    const connection = queueConnection(cluster);
    expect(connection).toBeInstanceOf(Cluster);
    (connection as Cluster).disconnect();
  });

  it('runs the event bus on Nest’s Redis transport, or on a strategy of its own for a Cluster', () => {
    expect(eventBusServer(single)).toMatchObject({ transport: Transport.REDIS });
    expect(eventBusClient(single)).toMatchObject({ transport: Transport.REDIS });
    expect(eventBusServer(cluster)).toHaveProperty('strategy');
    expect(eventBusClient(cluster)).toHaveProperty('customClass');
  });
});
