import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { NodeLeadership } from './node-leadership.js';

const ERROR_LOG_PERIOD_MS = 30_000;

export interface PeriodicTask {
  /** Unique within the node: the name its leadership is taken under. */
  readonly name: string;
  readonly intervalMs: number;
  /**
   * `node` (the default): one process of the node runs it (NodeLeadership). `process`: every
   * process runs it (work that claims its items itself, e.g. with SKIP LOCKED).
   */
  readonly scope?: 'node' | 'process';
  /** Run once more when the process stops (e.g. chain the last audit entries). */
  readonly atShutdown?: boolean;
  run(): Promise<unknown>;
}

/**
 * The periodic work of a process, in one place: each task at its interval, never two runs of a
 * task at once, failures logged and retried at the next tick, and node-scoped tasks run only by
 * the process that leads them. Registered by the libs' providers at module init; started once the
 * application has bootstrapped.
 */
@Injectable()
export class PeriodicTasks implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PeriodicTasks.name);
  private readonly tasks: PeriodicTask[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  /** Consecutive failures per task, and when one was last logged. */
  private readonly failures = new Map<string, { count: number; loggedAt: number }>();
  private started = false;

  constructor(private readonly leadership: NodeLeadership) {}

  register(task: PeriodicTask): void {
    if (this.tasks.some((known) => known.name === task.name)) {
      throw new Error(`periodic task ${task.name} is registered twice`);
    }
    this.tasks.push(task);
    if (this.started) this.start(task);
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const task of this.tasks) this.start(task);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.timers.splice(0).forEach(clearInterval);
    await Promise.all(this.running.values());
    for (const task of this.tasks.filter((t) => t.atShutdown)) {
      await task
        .run()
        .catch((error: Error) =>
          this.logger.error({ task: task.name, err: error.message }, 'failed at shutdown'),
        );
    }
  }

  /** Runs a task now unless it is running or led elsewhere; resolves when this run ends. */
  tick(task: PeriodicTask): Promise<void> {
    const current = this.running.get(task.name);
    if (current) return current;
    const run = (async () => {
      if ((task.scope ?? 'node') === 'node' && !(await this.leadership.leads(task.name))) return;
      // Debug level: counted by bench/scale.ts (each node task runs once per node per period).
      this.logger.debug({ task: task.name }, 'periodic task ran');
      await task.run();
      const failed = this.failures.get(task.name);
      if (failed) {
        this.failures.delete(task.name);
        this.logger.log({ task: task.name, failures: failed.count }, 'periodic task resumed');
      }
    })()
      .catch((error: Error) => this.failed(task, error))
      .finally(() => this.running.delete(task.name));
    this.running.set(task.name, run);
    return run;
  }

  /** While a dependency is away every round fails: one error line per task per 30 s is enough. */
  private failed(task: PeriodicTask, error: Error): void {
    const failed = this.failures.get(task.name) ?? { count: 0, loggedAt: 0 };
    failed.count += 1;
    this.failures.set(task.name, failed);
    if (Date.now() - failed.loggedAt < ERROR_LOG_PERIOD_MS) return;
    failed.loggedAt = Date.now();
    this.logger.error(
      { task: task.name, err: error.message, failures: failed.count },
      'periodic task failed',
    );
  }

  private start(task: PeriodicTask): void {
    void this.tick(task);
    const timer = setInterval(() => void this.tick(task), task.intervalMs);
    timer.unref();
    this.timers.push(timer);
  }
}
