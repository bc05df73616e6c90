import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { FileLane } from './file-lane.js';

/**
 * Plays the receiving gateway's use of a lane for chunks `from…` arriving in `order`, each after
 * `delays[i]` ms: a chunk past the first waits for the one before it to be in hand, then is opened
 * in its turn. Returns the order of the turns and which chunks were refused.
 */
async function receive(
  lane: FileLane,
  from: number,
  order: number[],
  delays: number[],
  graceMs: number,
): Promise<{ turns: number[]; refused: number[] }> {
  const turns: number[] = [];
  const refused: number[] = [];
  let running = 0;
  await Promise.all(
    order.map(async (index, i) => {
      await sleep(delays[i]);
      const hand = lane.enter(index);
      try {
        // As the node's record would say: the chunk before it is in (opened here, or elsewhere).
        const recorded = async () => turns.includes(index - 1);
        if (index > from && !(await lane.awaitPredecessor(index, recorded, graceMs))) {
          refused.push(index);
          return;
        }
        await sleep(delays[(i + 1) % delays.length]); // spooling
        await lane.inTurn(index, async () => {
          running += 1;
          expect(running).toBe(1);
          await sleep(1);
          turns.push(index);
          running -= 1;
        });
      } finally {
        hand.leave();
      }
    }),
  );
  return { turns, refused };
}

describe('FileLane', () => {
  it('opens chunks that arrive in any order, spooled side by side, one at a time in index order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((count) =>
          fc.record({
            order: fc.shuffledSubarray(
              Array.from({ length: count }, (_, i) => i),
              { minLength: count, maxLength: count },
            ),
            delays: fc.array(fc.integer({ min: 0, max: 5 }), {
              minLength: count,
              maxLength: count,
            }),
          }),
        ),
        async ({ order, delays }) => {
          const lane = new FileLane();
          const { turns, refused } = await receive(lane, 0, order, delays, 1_000);
          expect(refused).toEqual([]);
          expect(turns).toEqual([...order].sort((a, b) => a - b));
          expect(lane.empty).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a chunk whose predecessor never comes, after the grace; the ones before it are opened', async () => {
    const lane = new FileLane();
    // Chunks 0 and 1 arrive, 2 never does: 3 is refused, and nothing waits on it.
    const { turns, refused } = await receive(lane, 0, [3, 1, 0], [0, 2, 4], 60);
    expect(turns).toEqual([0, 1]);
    expect(refused).toEqual([3]);
    expect(lane.empty).toBe(true);
  });

  it('takes a chunk whose predecessor another process received, as its record says', async () => {
    const lane = new FileLane();
    let recorded = false;
    setTimeout(() => (recorded = true), 30);
    const started = Date.now();
    expect(await lane.awaitPredecessor(5, async () => recorded, 5_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives two copies of one chunk their turns one after the other', async () => {
    const lane = new FileLane();
    const first = lane.enter(0);
    const second = lane.enter(0);
    const turns: string[] = [];
    let releaseFirst!: () => void;
    const firstTurn = lane.inTurn(0, async () => {
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      turns.push('first');
    });
    const secondTurn = lane.inTurn(0, async () => {
      turns.push('second');
    });
    await sleep(5);
    expect(turns).toEqual([]);
    releaseFirst();
    await Promise.all([firstTurn, secondTurn]);
    expect(turns).toEqual(['first', 'second']);
    first.leave();
    expect(lane.holds(0)).toBe(true);
    second.leave();
    expect(lane.empty).toBe(true);
  });
});
