import fc from 'fast-check';
import { nextAttemptAt } from './retry-policy.js';

const policy = { baseDelayMs: 1000, maxDelayMs: 60_000 };
const now = new Date('2026-11-22T10:00:00Z');
const inOneDay = new Date(now.getTime() + 86_400_000);

describe('retry policy', () => {
  it('backs off exponentially up to the cap', () => {
    const delay = (attempt: number) =>
      nextAttemptAt(attempt, now, inOneDay, policy, 1)!.getTime() - now.getTime();
    expect([1, 2, 3, 4].map(delay)).toEqual([1000, 2000, 4000, 8000]);
    expect(delay(20)).toBe(60_000);
  });

  it('never schedules past the end of the window and stops when it has closed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempt, windowMs, random) => {
          const until = new Date(now.getTime() + windowMs);
          const next = nextAttemptAt(attempt, now, until, policy, random)!;
          expect(next.getTime()).toBeGreaterThan(now.getTime());
          expect(next.getTime()).toBeLessThanOrEqual(until.getTime());
        },
      ),
    );
    expect(nextAttemptAt(1, inOneDay, inOneDay, policy)).toBeNull();
  });
});
