import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';

/**
 * Tasks tick in every process, some every second (the audit chain) or more often in tests: one
 * round trip a second is enough both to notice that the session holding a task ended unannounced,
 * and for another process to try to take the task over.
 */
const SESSION_CHECK_MS = 1000;

/**
 * Which of a node's processes runs each periodic task: the one holding the task's PostgreSQL
 * advisory lock, on a connection of its own. The lock lives as long as that session: a process
 * that dies or loses its connection frees its tasks, and another process of the node takes them
 * over at its next tick (a second at most after its last try, for a task that ticks more often).
 * However many gateways and workers a node runs, each task runs in one.
 */
@Injectable()
export class NodeLeadership implements OnApplicationShutdown {
  private readonly logger = new Logger(NodeLeadership.name);
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private readonly held = new Set<string>();
  private closed = false;
  /** The session's last query: tasks ask at once, and a pg client runs one query at a time. */
  private pending: Promise<unknown> = Promise.resolve();
  /** When the session last answered. */
  private answeredAt = 0;
  /** When this process last tried to take each task it does not hold. */
  private readonly triedAt = new Map<string, number>();

  constructor(@Inject(NODE_CONFIG) private readonly config: NodeConfig) {}

  /** Whether this process runs `task` now: it holds the task's lock, or has just taken it. */
  async leads(task: string): Promise<boolean> {
    if (this.closed) return false;
    let client: pg.Client;
    try {
      client = await this.session();
      if (this.held.has(task)) {
        // A session the server ended leaves no lock behind: check it is still there.
        if (Date.now() - this.answeredAt >= SESSION_CHECK_MS) {
          await this.query(client, 'select 1');
          this.answeredAt = Date.now();
        }
        return true;
      }
      if (Date.now() - (this.triedAt.get(task) ?? 0) < SESSION_CHECK_MS) return false;
      this.triedAt.set(task, Date.now());
      const { rows } = await this.query<{ taken: boolean }>(
        client,
        'select pg_try_advisory_lock(hashtext($1)) as taken',
        [`${this.config.database.schema}:task:${task}`],
      );
      this.answeredAt = Date.now();
      if (rows[0]?.taken) {
        this.held.add(task);
        this.logger.log({ task }, 'this process now runs the task for the node');
      }
      return rows[0]?.taken === true;
    } catch (error) {
      this.drop((error as Error).message);
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.held.clear();
    await this.client?.end().catch(() => undefined);
  }

  /** Queries in turn: pg queues concurrent ones itself, but that is deprecated (pg 8.x warns). */
  private query<R extends pg.QueryResultRow>(
    client: pg.Client,
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const result = this.pending.then(() => client.query<R>(text, values));
    this.pending = result.catch(() => undefined);
    return result;
  }

  private session(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.config.database.url });
      client.on('error', (error: Error) => this.drop(error.message));
      client.on('end', () => this.drop('connection ended'));
      try {
        await client.connect();
      } catch (error) {
        void client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** The session is gone, and every lock with it. */
  private drop(reason: string): void {
    if (this.held.size > 0) {
      this.logger.warn({ tasks: [...this.held], reason }, 'periodic tasks released');
    }
    this.held.clear();
    this.answeredAt = 0;
    this.triedAt.clear();
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
  }
}
