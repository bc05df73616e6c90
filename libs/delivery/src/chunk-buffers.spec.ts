import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkBuffers } from './chunk-buffers.js';

describe('ChunkBuffers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chunk-buffers-'));
  const file = (name: string, size: number, fill: number) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(size, fill));
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the next chunk into a released buffer, never into one still held', async () => {
    const buffers = new ChunkBuffers(2);
    const first = await buffers.read(file('a', 4096, 1));
    const held = await buffers.read(file('b', 4096, 2));
    expect(held.bytes.buffer).not.toBe(first.bytes.buffer);
    first.release();
    first.release(); // once only
    const third = await buffers.read(file('c', 1000, 3));
    expect(third.bytes.buffer).toBe(first.bytes.buffer);
    expect(third.bytes).toEqual(Buffer.alloc(1000, 3));
    const fourth = await buffers.read(file('d', 4096, 4));
    expect([first.bytes.buffer, held.bytes.buffer]).not.toContain(fourth.bytes.buffer);
    expect(held.bytes).toEqual(Buffer.alloc(4096, 2));
  });

  it('takes a larger buffer for a larger chunk, and keeps no more than it is told', async () => {
    const buffers = new ChunkBuffers(1);
    const small = await buffers.read(file('s', 100, 5));
    small.release();
    const large = await buffers.read(file('l', 5000, 6));
    expect(large.bytes.buffer).not.toBe(small.bytes.buffer);
    expect(large.bytes).toEqual(Buffer.alloc(5000, 6));
    const other = await buffers.read(file('o', 100, 7));
    expect(other.bytes.buffer).toBe(small.bytes.buffer);
    large.release();
    other.release();
    const again = await buffers.read(file('g', 5000, 8));
    expect(again.bytes.buffer).toBe(large.bytes.buffer);
  });

  it('gives a buffer back when the file cannot be read whole', async () => {
    const buffers = new ChunkBuffers(1);
    const first = await buffers.read(file('x', 100, 1));
    first.release();
    await expect(buffers.read(join(dir, 'missing'))).rejects.toThrow();
    expect((await buffers.read(file('y', 50, 2))).bytes.buffer).toBe(first.bytes.buffer);
  });
});
