import { randomBytes } from 'node:crypto';
import { freeNow } from './record-codec.js';

describe('freeing a buffer at once', () => {
  it('frees a buffer that is the whole of its memory', () => {
    const owned = Buffer.from(randomBytes(256 * 1024));
    freeNow(owned);
    expect(owned.length).toBe(0);
    expect(owned.buffer.byteLength).toBe(0);
  });

  it('leaves alone a view into a larger buffer, a pooled small buffer and shared memory', () => {
    const larger = Buffer.alloc(1024, 7);
    const view = larger.subarray(0, 512);
    freeNow(view);
    expect(view.length).toBe(512);
    expect(larger.length).toBe(1024);

    const pooled = Buffer.from('a few bytes');
    const neighbour = Buffer.from('its neighbour in the pool');
    freeNow(pooled);
    expect(pooled.toString()).toBe('a few bytes');
    expect(neighbour.toString()).toBe('its neighbour in the pool');

    const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(1);
    freeNow(shared);
    expect(shared.length).toBe(64);
  });
});
