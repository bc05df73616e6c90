import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import { DEADLINE_QUEUE } from '#libs/cases';
import { DELIVERY_QUEUE } from '#libs/messaging';
import { QUEUE_DASHBOARD_PATH, QueueDashboardController } from './queue-dashboard.controller.js';

/*
 * The queue dashboard against the real Redis, routed as Nest routes it (the access guard in front
 * is the gateway's: see test/access.e2e-spec.ts): its page, and its JSON API listing the node's
 * queues with their counts, read-only.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type QueuesAnswer = {
  queues: Array<{ name: string; readOnlyMode: boolean; counts: Record<string, number> }>;
};

describe('the queue dashboard', () => {
  let redis: Redis;
  let delivery: Queue;
  let deadlines: Queue;
  let server: ReturnType<express.Express['listen']>;
  let base: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = `{int_queue_dashboard_${process.pid}}`;
    delivery = new Queue(DELIVERY_QUEUE.name, { connection: redis, prefix });
    deadlines = new Queue(DEADLINE_QUEUE.name, { connection: redis, prefix });
    await delivery.add('deliver', { messageId: 'm-1', correlationId: null }, { jobId: 'm-1' });
    await deadlines.add('expiry', { deadlineId: 'd-1' }, { jobId: 'expiry_d-1', delay: 3_600_000 });
    const dashboard = new QueueDashboardController(delivery, deadlines);
    const app = express().disable('x-powered-by');
    app.get([QUEUE_DASHBOARD_PATH, `${QUEUE_DASHBOARD_PATH}/*path`], (request, response, next) =>
      dashboard.serve(request, response, next),
    );
    app.use((request: express.Request, response: express.Response) => {
      response.status(404).json({ fellThrough: request.url, sameApp: request.app === app });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${QUEUE_DASHBOARD_PATH}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    for (const queue of [delivery, deadlines]) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    redis.disconnect();
  });

  it('lists the delivery and deadline queues with their counts, read-only', async () => {
    const answer = await fetch(`${base}/api/queues`);
    expect(answer.status).toBe(200);
    const { queues } = (await answer.json()) as QueuesAnswer;
    const byName = Object.fromEntries(queues.map((queue) => [queue.name, queue]));
    expect(Object.keys(byName).sort()).toEqual(['deadlines', 'delivery']);
    expect(byName.delivery).toMatchObject({ readOnlyMode: true, counts: { waiting: 1 } });
    expect(byName.deadlines).toMatchObject({ readOnlyMode: true, counts: { delayed: 1 } });
  });

  it('serves its page and files under its own path', async () => {
    for (const path of ['', '/']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('x-powered-by')).toBeNull();
      const html = await page.text();
      expect(html).toContain(`<base href="${QUEUE_DASHBOARD_PATH}/" />`);
      const script = /src="(static\/js\/main\.[^"]+)"/.exec(html)?.[1];
      expect((await fetch(`${base}/${script}`)).status).toBe(200);
    }
  });

  it('hands back to the gateway, as it found the request, what it does not serve', async () => {
    const answer = await fetch(`${base}/static/nothing-here.js?x=1`);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toEqual({
      fellThrough: `${QUEUE_DASHBOARD_PATH}/static/nothing-here.js?x=1`,
      sameApp: true,
    });
  });
});
