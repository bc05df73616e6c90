import { isRedisUnreachable } from '#libs/bus';
import { ErrorCode, GatewayError } from '#libs/errors';
import { databaseFaultOf } from '#libs/persistence';

/**
 * Seconds a client should wait before trying again, for each 503 the gateway gives: a restart of
 * PostgreSQL or Redis takes seconds; a database set read-only stays so until an operator acts.
 */
export const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  DATABASE_UNAVAILABLE: 5,
  DATABASE_READ_ONLY: 30,
  QUEUE_UNAVAILABLE: 5,
  REGISTER_UNAVAILABLE: 5,
  KEY_UNAVAILABLE: 30,
};

/**
 * An unexpected failure that is in fact the infrastructure out of reach, as the error the client
 * gets (R5, R6): PostgreSQL refusing writes (25006), shutting down or starting (57P01, 57P03),
 * out of connections (53300) or out of reach; Redis out of reach. Undefined for anything else,
 * which stays an internal error. `redisPort` tells a refused connection to Redis from one to
 * PostgreSQL.
 */
export function unavailability(error: unknown, redisPort: number): GatewayError | undefined {
  const port = (error as { port?: unknown } | null)?.port;
  if (isRedisUnreachable(error) || (port === redisPort && databaseFaultOf(error))) {
    return new GatewayError(
      ErrorCode.QUEUE_UNAVAILABLE,
      'the node’s queue (Redis) cannot be reached; try again shortly',
    );
  }
  switch (databaseFaultOf(error)) {
    case 'read-only':
      return new GatewayError(
        ErrorCode.DATABASE_READ_ONLY,
        'the node’s database accepts no writes for now; reading still works',
      );
    case 'unavailable':
      return new GatewayError(
        ErrorCode.DATABASE_UNAVAILABLE,
        'the node’s database cannot be reached; try again shortly',
      );
    default:
      return undefined;
  }
}
