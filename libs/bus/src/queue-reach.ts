import { ErrorCode, GatewayError } from '#libs/errors';

/** How long a queue operation may wait for Redis before it counts as unavailable. */
export const QUEUE_OPERATION_TIMEOUT_MS = 2000;

/**
 * Runs a queue operation only while Redis is connected, and for a bounded time. The node's Redis
 * connections retry for ever and hold commands until Redis is back: a caller that must answer
 * (an HTTP request) fails at once with QUEUE_UNAVAILABLE instead of hanging, and the reconcilers
 * re-create from PostgreSQL what it could not add.
 */
export async function whileQueueReachable<T>(
  queue: { getBackend(): { readonly client: Promise<{ readonly status: string }> } },
  operation: () => Promise<T>,
  timeoutMs = QUEUE_OPERATION_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(queueUnavailable(`Redis did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const client = await Promise.race([queue.getBackend().client, expiry]);
    if (client.status !== 'ready') throw queueUnavailable(`Redis connection ${client.status}`);
    return await Promise.race([operation(), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

export function queueUnavailable(reason: string): GatewayError {
  return new GatewayError(ErrorCode.QUEUE_UNAVAILABLE, `the queue is unavailable: ${reason}`);
}
