import { Global, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { NODE_CONFIG } from '#libs/node-config';
import { findJobHandlers, JobsModule, JobWorkers } from './job-workers.js';
import { buildJobRegistry, defineQueue, JobRegistryError, OnJob, type JobOf } from './jobs.js';

interface TimerJobs {
  reminder: { id: string };
  expiry: { id: string };
}

const TIMERS = defineQueue<TimerJobs>({
  name: 'test-timers',
  jobs: ['reminder', 'expiry'],
  worker: () => ({ concurrency: 1 }),
});

const OTHER = defineQueue<{ ping: { n: number } }>({
  name: 'test-other',
  jobs: ['ping'],
  worker: () => ({ concurrency: 1 }),
});

@Injectable()
class RemindersOnly {
  @OnJob(TIMERS, 'reminder')
  async remind(job: JobOf<TimerJobs, 'reminder'>): Promise<string> {
    return `reminded ${job.data.id}`;
  }
}

@Injectable()
class Expiries {
  @OnJob(TIMERS, 'expiry')
  async expire(job: JobOf<TimerJobs, 'expiry'>): Promise<string> {
    return `expired ${job.data.id}`;
  }
}

@Global()
@Module({ providers: [{ provide: NODE_CONFIG, useValue: {} }], exports: [NODE_CONFIG] })
class FakeNodeModule {}

describe('job handlers checked at start-up', () => {
  it('stops start-up when a job of a consumed queue has no handler, naming the job', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [FakeNodeModule, JobsModule.consume([TIMERS])],
      providers: [RemindersOnly],
    }).compile();
    const app = moduleRef.createNestApplication();
    await expect(app.init()).rejects.toThrow(/job 'expiry' of queue 'test-timers' has no handler/);
    await app.close().catch(() => undefined);
  });

  it('starts when every job has its handler, and runs each job by its name', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [FakeNodeModule, JobsModule.consume([TIMERS])],
      providers: [RemindersOnly, Expiries],
    }).compile();
    const workers = moduleRef.get(JobWorkers);
    // Module init only: the check, without starting BullMQ workers against Redis.
    workers.onModuleInit();
    const job = (name: string) => ({ name, data: { id: 'd1' } }) as unknown as Job;
    await expect(workers.process(TIMERS, job('reminder'))).resolves.toBe('reminded d1');
    await expect(workers.process(TIMERS, job('expiry'))).resolves.toBe('expired d1');
    expect(() => workers.process(TIMERS, job('unknown'))).toThrow(/no handler for job unknown/);
    await moduleRef.close();
  });

  it('lists every problem: missing, doubled, stray and unknown handlers', () => {
    const found = findJobHandlers([new RemindersOnly(), new RemindersOnly()]);
    const stray = {
      queue: OTHER,
      job: 'ping',
      handler: async () => undefined,
      where: 'Stray.ping',
    };
    const unknown = {
      queue: TIMERS,
      job: 'snooze',
      handler: async () => undefined,
      where: 'Snoozer.snooze',
    };
    let error: unknown;
    try {
      buildJobRegistry([TIMERS], [...found, stray, unknown]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JobRegistryError);
    expect((error as JobRegistryError).problems).toEqual([
      "job 'reminder' of queue 'test-timers' has a second handler: RemindersOnly.remind",
      "Stray.ping handles job 'ping' of queue 'test-other', which this process does not consume",
      "Snoozer.snooze handles job 'snooze', which queue 'test-timers' does not carry",
      "job 'expiry' of queue 'test-timers' has no handler (an @OnJob(test-timers, 'expiry') method on a provider of this process)",
    ]);
  });

  it('refuses a queue that lists a job twice', () => {
    expect(() =>
      defineQueue<TimerJobs>({
        name: 'twice',
        jobs: ['reminder', 'reminder'],
        worker: () => ({}),
      }),
    ).toThrow(/lists a job name twice/);
  });
});
