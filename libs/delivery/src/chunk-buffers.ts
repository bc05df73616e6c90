import { open } from 'node:fs/promises';

/**
 * The buffers one delivery reads its sealed chunks into, used again once a request holds one no
 * more (its body written out, or its connection closed: PeerTransport's `bodyReleased`). A file
 * then costs a few chunks' worth of memory whatever its size, and leaves the garbage collector no
 * chunk-sized buffer per chunk. A buffer whose request never lets go is simply not used again.
 */
export class ChunkBuffers {
  private readonly free: Buffer[] = [];

  /** @param keep how many released buffers are kept for the next chunks */
  constructor(private readonly keep: number) {}

  /** A file's bytes in a buffer of this delivery; `release` once nothing reads them any more. */
  async read(path: string): Promise<{ bytes: Buffer; release: () => void }> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const at = this.free.findIndex((buffer) => buffer.length >= size);
      const buffer = at >= 0 ? this.free.splice(at, 1)[0] : Buffer.allocUnsafeSlow(size);
      try {
        let filled = 0;
        while (filled < size) {
          const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
          if (bytesRead === 0) throw new Error(`${path} ended after ${filled} of ${size} bytes`);
          filled += bytesRead;
        }
      } catch (error) {
        this.give(buffer);
        throw error;
      }
      let released = false;
      return {
        bytes: buffer.subarray(0, size),
        release: () => {
          if (!released) this.give(buffer);
          released = true;
        },
      };
    } finally {
      await handle.close();
    }
  }

  private give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
