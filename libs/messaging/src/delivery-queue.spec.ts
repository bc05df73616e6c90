import { workerOptions } from '#libs/bus';
import { loadNodeConfig, type NodeConfig } from '#libs/node-config';
import { DELIVERY_QUEUE } from './delivery-queue.js';

const deliveryWorkerOptions = (config: NodeConfig, name: string) =>
  workerOptions(DELIVERY_QUEUE, config, name);

describe('the delivery worker’s options (R4)', () => {
  const env = {
    GATEWAY_AUTHORITY_ID: 'FR-MOJ-BEPI',
    GATEWAY_DIRECTORY_DIR: '/nonexistent',
    GATEWAY_PRIVATE_KEY_FILE: '/nonexistent',
    REDIS_URL: 'redis://:secret@redis.internal:6380/2',
    GATEWAY_REDIS_PREFIX: 'fr_node',
  };

  it('applies the configured job lock, stalled-job check and concurrency', () => {
    const config = loadNodeConfig({
      ...env,
      GATEWAY_JOB_LOCK_MS: '2000',
      GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
      GATEWAY_DELIVERY_CONCURRENCY: '3',
    });
    expect(deliveryWorkerOptions(config, 'host:42')).toMatchObject({
      name: 'host:42',
      lockDuration: 2000,
      stalledInterval: 1000,
      concurrency: 3,
      prefix: '{tip:fr_node}',
      connection: {
        host: 'redis.internal',
        port: 6380,
        db: 2,
        password: 'secret',
        maxRetriesPerRequest: null,
      },
    });
  });

  it('defaults to the node configuration’s lock (config/gateway.json), not BullMQ’s', () => {
    const config = loadNodeConfig(env);
    expect(deliveryWorkerOptions(config, 'w').lockDuration).toBe(config.delivery.lockDurationMs);
    expect(
      deliveryWorkerOptions(loadNodeConfig({ ...env, GATEWAY_JOB_LOCK_MS: '45000' }), 'w')
        .lockDuration,
    ).toBe(45_000);
  });
});
