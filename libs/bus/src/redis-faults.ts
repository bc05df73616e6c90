/**
 * Whether an error is ioredis telling that Redis is out of reach (rather than a command's own
 * error): the retries per request ran out, the connection is closed, or commands are not queued
 * while offline. Plain TypeScript, on the error's shape only.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'MaxRetriesPerRequestError') return true;
  return (
    typeof message === 'string' &&
    (message === 'Connection is closed.' ||
      message.startsWith('Reached the max retries per request limit') ||
      message.startsWith("Stream isn't writeable"))
  );
}
