import fc from 'fast-check';
import { RetentionPolicy, type FileRecord, type RequestRecord } from './due.js';
import { addPeriod, RETENTION_UNITS, type RetentionProfile } from './profile.js';

const NOW = new Date('2027-03-01T12:00:00.000Z');
const DAY = 86_400_000;

const profile = (overrides: Partial<RetentionProfile> = {}): RetentionProfile => ({
  id: 'mla-test',
  procedure: 'mla',
  legalBasis: 'test basis',
  check: true,
  closedStatuses: ['closed', 'withdrawn'],
  contentAfterClose: { amount: 30, unit: 'days' },
  ...overrides,
});

const JIT = profile({
  id: 'jit-test',
  procedure: 'jit',
  closedStatuses: ['closed'],
  files: { maxAge: { amount: 4, unit: 'weeks' }, onceDownloaded: true },
});

const policy = new RetentionPolicy([profile(), JIT]);

const requestRecord = fc.record({
  requestId: fc.uuid(),
  procedure: fc.constantFrom('mla', 'jit', 'assets'),
  status: fc.constantFrom('closed', 'withdrawn', 'acknowledged', 'in-execution'),
  statusSince: fc
    .integer({ min: -400, max: 10 })
    .map((days) => new Date(NOW.getTime() + days * DAY)),
  held: fc.boolean(),
}) satisfies fc.Arbitrary<RequestRecord>;

const fileRecord = fc.record({
  messageId: fc.uuid(),
  position: fc.nat({ max: 3 }),
  procedure: fc.constantFrom('jit', 'mla'),
  keptSince: fc.integer({ min: -60, max: 1 }).map((days) => new Date(NOW.getTime() + days * DAY)),
  downloaded: fc.boolean(),
  held: fc.boolean(),
}) satisfies fc.Arbitrary<FileRecord>;

describe('what is due for erasure (README, Retention)', () => {
  it('erases a closed request once its period has passed, and not a millisecond before', () => {
    const closedAt = new Date(NOW.getTime() - 30 * DAY);
    const request = {
      requestId: 'r',
      procedure: 'mla',
      status: 'withdrawn',
      statusSince: closedAt,
      held: false,
    };
    expect(policy.requestDue(request, NOW)).toMatchObject({
      dueAt: NOW,
      profile: { id: 'mla-test' },
    });
    expect(policy.requestDue(request, new Date(NOW.getTime() - 1))).toBeUndefined();
  });

  it('never erases an open request, a request of a procedure without profile, or one under a legal hold', () => {
    const long = new Date(NOW.getTime() - 4000 * DAY);
    const base = {
      requestId: 'r',
      procedure: 'mla',
      status: 'closed',
      statusSince: long,
      held: false,
    };
    expect(policy.requestDue({ ...base, status: 'in-execution' }, NOW)).toBeUndefined();
    expect(policy.requestDue({ ...base, procedure: 'assets' }, NOW)).toBeUndefined();
    expect(policy.requestDue({ ...base, held: true }, NOW)).toBeUndefined();
    expect(policy.requestDue(base, NOW)).toBeDefined();
  });

  it('deletes JIT files at four weeks, or once downloaded, never while held (Reg. (EU) 2023/969)', () => {
    const file = {
      messageId: 'm',
      position: 0,
      procedure: 'jit',
      keptSince: NOW,
      downloaded: false,
      held: false,
    };
    expect(policy.fileDue(file, NOW)).toBeUndefined();
    expect(policy.fileDue({ ...file, downloaded: true }, NOW)).toMatchObject({
      reason: 'downloaded',
    });
    expect(policy.fileDue(file, new Date(NOW.getTime() + 28 * DAY))).toMatchObject({
      reason: 'max-age',
    });
    expect(policy.fileDue({ ...file, downloaded: true, held: true }, NOW)).toBeUndefined();
    expect(policy.fileDue({ ...file, procedure: 'mla', downloaded: true }, NOW)).toBeUndefined();
  });

  it('counts years as calendar years and the other units exactly', () => {
    expect(
      addPeriod(new Date('2024-02-29T00:00:00Z'), { amount: 1, unit: 'years' }).toISOString(),
    ).toBe('2025-03-01T00:00:00.000Z');
    expect(addPeriod(NOW, { amount: 90, unit: 'seconds' }).getTime()).toBe(NOW.getTime() + 90_000);
    expect(RETENTION_UNITS).toContain('weeks');
  });

  it('selects nothing held or not yet due, whatever the candidates (property)', () => {
    fc.assert(
      fc.property(
        fc.array(requestRecord, { maxLength: 60 }),
        fc.nat({ max: 80 }),
        (candidates, limit) => {
          const selected = policy.selectRequests(candidates, NOW, limit);
          expect(selected.length).toBeLessThanOrEqual(limit);
          for (const { request, profile: used, dueAt } of selected) {
            expect(request.held).toBe(false);
            expect(used.closedStatuses).toContain(request.status);
            expect(used.procedure).toBe(request.procedure);
            expect(dueAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
            expect(addPeriod(request.statusSince, used.contentAfterClose).getTime()).toBe(
              dueAt.getTime(),
            );
          }
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fileRecord, { maxLength: 60 }),
        fc.nat({ max: 80 }),
        (candidates, limit) => {
          for (const { file, dueAt } of policy.selectFiles(candidates, NOW, limit)) {
            expect(file.held).toBe(false);
            expect(file.procedure).toBe('jit');
            expect(dueAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
          }
        },
      ),
    );
  });

  it('selects everything due eventually, in bounded batches, oldest first (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(requestRecord, { selector: (r) => r.requestId, maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (candidates, batch) => {
          // What the task does: take a batch, erase it (it leaves the candidates), again until none.
          let remaining = [...candidates];
          const erased: string[] = [];
          let previousDue = -Infinity;
          for (let round = 0; round <= candidates.length; round++) {
            const selected = policy.selectRequests(remaining, NOW, batch);
            if (selected.length === 0) break;
            expect(selected.length).toBeLessThanOrEqual(batch);
            expect(selected[0].dueAt.getTime()).toBeGreaterThanOrEqual(previousDue);
            previousDue = selected[selected.length - 1].dueAt.getTime();
            const ids = new Set(selected.map((s) => s.request.requestId));
            erased.push(...ids);
            remaining = remaining.filter((r) => !ids.has(r.requestId));
          }
          const due = candidates.filter((r) => policy.requestDue(r, NOW)).map((r) => r.requestId);
          expect(erased.sort()).toEqual(due.sort());
        },
      ),
    );
  });
});
