/**
 * What a PostgreSQL failure says about the database, as opposed to the request: the database
 * refuses writes, or cannot be used at all for now. Either way the request may succeed later, and
 * is answered 503 with Retry-After, never 500. Plain TypeScript, on the error's shape only.
 */
export type DatabaseFault = 'read-only' | 'unavailable';

/** SQLSTATE 25006 read_only_sql_transaction: `default_transaction_read_only`, a hot standby. */
const READ_ONLY = '25006';

/**
 * SQLSTATEs of a database that cannot serve now: 57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now (starting up, shutting down, in recovery), 53300 too_many_connections;
 * and the classes 08 (connection exception) and 53 (insufficient resources: disk full, out of
 * memory).
 */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03']);
const UNAVAILABLE_CLASSES = ['08', '53'];

/** What node-postgres says, without a SQLSTATE, of a connection that broke or never came. */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
  /^the database system is (starting up|shutting down|in recovery mode)$/,
];

/** Socket errors of a connection attempt or of a connection that broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function databaseFaultOf(error: unknown): DatabaseFault | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code === READ_ONLY) return 'read-only';
    const sqlState = /^[0-9A-Z]{5}$/.test(code);
    if (sqlState && (UNAVAILABLE.has(code) || UNAVAILABLE_CLASSES.includes(code.slice(0, 2))))
      return 'unavailable';
    if (SOCKET_CODES.has(code)) return 'unavailable';
  }
  if (typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message)))
    return 'unavailable';
  return undefined;
}

export interface StartupWait {
  /** How long start-up waits for the database before it gives up (and the process exits). */
  giveUpAfterMs: number;
  /** Told of each unavailable attempt, with the delay before the next. */
  onWait(error: Error, retryInMs: number): void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Runs a start-up step (migrations, the directory check) until the database answers: a process
 * started while PostgreSQL restarts, fails over or is slow to accept connections waits for it, as
 * the running processes do, instead of exiting. Any other error, or the database still unavailable
 * after `giveUpAfterMs`, is thrown: start-up fails and says why.
 */
export async function whenDatabaseAnswers<T>(
  step: () => Promise<T>,
  wait: StartupWait,
): Promise<T> {
  const sleep = wait.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = wait.now ?? Date.now;
  const started = now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      const retryInMs = Math.min(500 * 2 ** attempt, 5000);
      if (
        databaseFaultOf(error) !== 'unavailable' ||
        now() - started + retryInMs > wait.giveUpAfterMs
      )
        throw error;
      wait.onWait(error as Error, retryInMs);
      await sleep(retryInMs);
    }
  }
}
