import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 25;
/** Every this many polls the caller's record is asked too (another gateway may hold the chunk). */
const POLLS_PER_RECORD_CHECK = 4;

/**
 * The chunks of one file in this process. A sender keeps several chunks on their way at once, so a
 * chunk may come while the ones before it are still being received: it is spooled at once, then
 * opened in its turn, once the chunk before it has left, one chunk at a time. Chunks that come
 * twice (a retry beside the first try) are in hand side by side and take their turns one after the
 * other; the turn's own checks refuse the second.
 */
export class FileLane {
  /** For each chunk in hand, by index: one promise per copy, settled when that copy leaves. */
  private readonly inHand = new Map<number, Array<Promise<void>>>();
  private tail: Promise<unknown> = Promise.resolve();

  get empty(): boolean {
    return this.inHand.size === 0;
  }

  holds(index: number): boolean {
    return this.inHand.has(index);
  }

  /** Takes a copy of chunk `index` in hand; `leave` once it is opened or refused. */
  enter(index: number): { leave: () => void } {
    let settle!: () => void;
    const left = new Promise<void>((resolve) => (settle = resolve));
    const copies = this.inHand.get(index) ?? [];
    copies.push(left);
    this.inHand.set(index, copies);
    let gone = false;
    return {
      leave: () => {
        if (gone) return;
        gone = true;
        settle();
        // (The removed promise has settled: nothing floats.)
        void copies.splice(copies.indexOf(left), 1);
        if (copies.length === 0 && this.inHand.get(index) === copies) this.inHand.delete(index);
      },
    };
  }

  /**
   * Waits until chunk `index - 1` is in hand here, or `doneElsewhere` says it is in already (received
   * by another process of this node), for at most `graceMs`: false if neither happened.
   */
  async awaitPredecessor(
    index: number,
    doneElsewhere: () => Promise<boolean>,
    graceMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + graceMs;
    for (let poll = 1; ; poll++) {
      if (this.holds(index - 1)) return true;
      if (Date.now() >= deadline) return doneElsewhere();
      if (poll % POLLS_PER_RECORD_CHECK === 0 && (await doneElsewhere())) return true;
      await sleep(POLL_MS);
    }
  }

  /** Runs `work` in chunk `index`'s turn: after every copy of the chunk before it has left, alone. */
  async inTurn<T>(index: number, work: () => Promise<T>): Promise<T> {
    await Promise.all([...(this.inHand.get(index - 1) ?? [])]);
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
