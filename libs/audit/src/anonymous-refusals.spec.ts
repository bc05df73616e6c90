import fc from 'fast-check';
import { Clock } from '#libs/node-config';
import { AnonymousRefusals } from './anonymous-refusals.js';
import type { AuditTrail } from './audit-trail.js';
import type { AuditRecord } from './chain.js';

class ManualClock extends Clock {
  constructor(public at: number) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
}

/** The trail as a list: what AnonymousRefusals hands to it, in order. */
function trail(): { audit: AuditTrail; written: AuditRecord[] } {
  const written: AuditRecord[] = [];
  const audit = {
    record: (record: AuditRecord) => {
      written.push(record);
      return Promise.resolve();
    },
  } as unknown as AuditTrail;
  return { audit, written };
}

const refusal = (address: string): AuditRecord => ({
  event: 'access.denied',
  actor: 'anonymous',
  details: { code: 'UNAUTHENTICATED', remoteAddress: address },
});

describe('anonymous refusals', () => {
  it('writes one entry in full and one count per source, code and window, whatever the flood', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            address: fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::7'),
            code: fc.constantFrom('UNAUTHENTICATED', 'ENVELOPE_MALFORMED'),
            afterMs: fc.integer({ min: 0, max: 20_000 }),
          }),
          { maxLength: 300 },
        ),
        async (refusals) => {
          const clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'));
          const { audit, written } = trail();
          const tally = new AnonymousRefusals(audit, clock, 60_000);
          const windows = new Map<string, number>();
          for (const { address, code, afterMs } of refusals) {
            clock.at += afterMs;
            const window = Math.floor(clock.at / 60_000);
            const key = `${address}|${code}|${window}`;
            windows.set(key, (windows.get(key) ?? 0) + 1);
            await tally.record(refusal(address), address, code);
          }
          await tally.flush(true);
          const individual = written.filter((r) => r.details?.aggregated !== true);
          const aggregated = written.filter((r) => r.details?.aggregated === true);
          // One entry in full per source, code and window...
          expect(individual).toHaveLength(windows.size);
          // ...one more only where there were others, carrying their count: none is lost.
          expect(aggregated).toHaveLength([...windows.values()].filter((n) => n > 1).length);
          const counted = aggregated.reduce((sum, r) => sum + Number(r.details?.count), 0);
          expect(individual.length + counted).toBe(refusals.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes a window’s count once it has closed, and the open ones at shutdown', async () => {
    const clock = new ManualClock(Date.parse('2026-12-05T10:00:10Z'));
    const { audit, written } = trail();
    const tally = new AnonymousRefusals(audit, clock, 60_000);
    for (let i = 0; i < 1000; i++) await tally.record(refusal('192.0.2.9'), '192.0.2.9', 'X');
    expect(written).toHaveLength(1);
    await tally.flush(false);
    expect(written).toHaveLength(1);
    clock.at = Date.parse('2026-12-05T10:01:00Z');
    await tally.record(refusal('192.0.2.9'), '192.0.2.9', 'X');
    await tally.record(refusal('192.0.2.9'), '192.0.2.9', 'X');
    await tally.flush(false);
    // The new window's first refusal is written at once; the closed window's count when flushed.
    expect(written.map((r) => r.details?.count ?? 'full')).toEqual(['full', 'full', 999]);
    expect(written[2].details).toMatchObject({
      windowStart: '2026-12-05T10:00:00.000Z',
      windowEnd: '2026-12-05T10:01:00.000Z',
      remoteAddress: '192.0.2.9',
    });
    await tally.beforeApplicationShutdown();
    expect(written.map((r) => r.details?.count ?? 'full')).toEqual(['full', 'full', 999, 1]);
  });
});
