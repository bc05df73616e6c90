import { buildJobRegistry, findJobHandlers } from '#libs/bus';
import { DEADLINE_QUEUE, DeadlineProcessor } from '#libs/cases';
import { DeliveryProcessor } from '#libs/delivery';
import { DELIVERY_QUEUE } from '#libs/messaging';

describe('the worker’s queues', () => {
  it('have a handler for every job they carry', () => {
    // The handlers' classes as the worker's modules provide them (no dependencies needed here).
    const handlers = findJobHandlers([
      Object.create(DeliveryProcessor.prototype) as object,
      Object.create(DeadlineProcessor.prototype) as object,
    ]);
    const registry = buildJobRegistry([DELIVERY_QUEUE, DEADLINE_QUEUE], handlers);
    expect([...registry].map(([queue, jobs]) => [queue, [...jobs.keys()].sort()])).toEqual([
      ['delivery', ['deliver']],
      ['deadlines', ['expiry', 'reminder']],
    ]);
  });
});
