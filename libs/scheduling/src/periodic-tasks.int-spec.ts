import type { NodeConfig } from '#libs/node-config';
import { NodeLeadership } from './node-leadership.js';
import { PeriodicTasks, type PeriodicTask } from './periodic-tasks.js';

/*
 * Periodic tasks across the processes of one node, against the real PostgreSQL: each node-scoped
 * task runs in one process at a time, and another takes it over when that one stops.
 */

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const config = (schema: string) => ({ database: { url, schema } }) as NodeConfig;

describe('periodic tasks under node leadership', () => {
  const processes: Array<{ leadership: NodeLeadership; tasks: PeriodicTasks }> = [];

  function start(schema: string) {
    const leadership = new NodeLeadership(config(schema));
    const tasks = new PeriodicTasks(leadership);
    processes.push({ leadership, tasks });
    return { leadership, tasks };
  }

  afterEach(async () => {
    for (const { leadership, tasks } of processes.splice(0)) {
      await tasks.beforeApplicationShutdown();
      await leadership.onApplicationShutdown();
    }
  });

  const counting = (
    name: string,
    runs: number[],
    who: number,
    scope?: 'process',
  ): PeriodicTask => ({
    name,
    intervalMs: 60_000,
    scope,
    run: async () => {
      runs.push(who);
    },
  });

  it('runs a node task in one process only, whichever asks', async () => {
    const node = `lead_${process.pid}_a`;
    const runs: number[] = [];
    const members = [start(node), start(node), start(node)];
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        members.map(({ tasks }, who) => tasks.tick(counting('reconcile', runs, who))),
      );
    }
    expect(runs).toHaveLength(5);
    expect(new Set(runs).size).toBe(1);
  });

  it('hands a node task over when its process stops', async () => {
    const node = `lead_${process.pid}_b`;
    const runs: number[] = [];
    const [first, second] = [start(node), start(node)];
    await first.tasks.tick(counting('chain', runs, 1));
    await second.tasks.tick(counting('chain', runs, 2));
    expect(runs).toEqual([1]);
    await first.leadership.onApplicationShutdown();
    // The other process tries to take a task over at most once a second: it does at a later tick.
    for (const until = Date.now() + 5000; runs.length < 2 && Date.now() < until;) {
      await second.tasks.tick(counting('chain', runs, 2));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toEqual([1, 2]);
  });

  it('leads each node separately, and runs process tasks everywhere', async () => {
    const runs: number[] = [];
    const [a, b] = [start(`lead_${process.pid}_c`), start(`lead_${process.pid}_d`)];
    await a.tasks.tick(counting('reconcile', runs, 1));
    await b.tasks.tick(counting('reconcile', runs, 2));
    const c = start(`lead_${process.pid}_c`);
    await c.tasks.tick(counting('release', runs, 3, 'process'));
    await a.tasks.tick(counting('release', runs, 4, 'process'));
    expect(runs).toEqual([1, 2, 3, 4]);
  });

  it('refuses a task registered twice', () => {
    const { tasks } = start(`lead_${process.pid}_e`);
    tasks.register(counting('twice', [], 0));
    expect(() => tasks.register(counting('twice', [], 0))).toThrow(/registered twice/);
  });
});
