import { createServer, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import { Socket, type AddressInfo } from 'node:net';
import { AuthorityDirectory } from '#libs/directory';
import { PeerTransport } from '#libs/node-config';
import { MAX_PEER_ANSWER_BYTES, PeerClient, readPeerAnswer } from './peer-client.js';

/** Plain HTTP, an empty directory: no pins to check. */
const client = () => new PeerClient(new PeerTransport(), new AuthorityDirectory([], 'empty'));

const routing = {
  sender: 'FR-MOJ-BEPI',
  recipient: 'NG-MOJ-CA',
  messageId: '0190a0a0-0000-7000-8000-000000000000',
};

/** A body of `chunks` pieces of `size` bytes, counting how many were pulled. */
function counted(chunks: number, size: number) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { body, pulled: () => pulled };
}

describe('reading a peer’s answer (R8)', () => {
  it('keeps a receipt within the bound', async () => {
    const answer = await readPeerAnswer(new Response('-----BEGIN PGP SIGNED MESSAGE-----'), 1024);
    expect(answer).toEqual({ ok: true, receipt: '-----BEGIN PGP SIGNED MESSAGE-----' });
  });

  it('reads where the peer stands on a message’s files: the chunk it expects, or the receipt with the last', async () => {
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
    const messageId = '01900000-0000-7000-8000-000000000001';
    await expect(
      readPeerAnswer(json(202, { messageId, next: { attachment: 0, chunk: 3 } }), 1024),
    ).resolves.toEqual({ ok: true, progress: { messageId, next: { attachment: 0, chunk: 3 } } });
    await expect(
      readPeerAnswer(json(200, { messageId, next: null, receipt: 'signed' }), 1024),
    ).resolves.toEqual({ ok: true, progress: { messageId, next: null, receipt: 'signed' } });
    // An error in the gateway's format is no progress.
    await expect(
      readPeerAnswer(json(409, { error: { code: 'CHUNK_REPLAYED' } }), 1024),
    ).resolves.toMatchObject({ ok: false, code: 'CHUNK_REPLAYED' });
  });

  it('stops reading an answer beyond the bound and retries the delivery', async () => {
    const { body, pulled } = counted(10_000, 1024);
    const answer = await readPeerAnswer(new Response(body, { status: 200 }), 64 * 1024);
    expect(answer).toMatchObject({ ok: false, failure: 'transient', status: 200 });
    // Cut off just past the bound, not read to its 10 MB end.
    expect(pulled()).toBeLessThan(70);
  });

  it('refuses a declared length beyond the bound without reading it', async () => {
    const { body, pulled } = counted(100, 1024);
    const response = new Response(body, { status: 409, headers: { 'content-length': '102400' } });
    const answer = await readPeerAnswer(response, 1024);
    expect(answer).toMatchObject({ ok: false, failure: 'transient', status: 409 });
    expect(pulled()).toBeLessThanOrEqual(1);
  });

  it('names the peer’s code and whether to retry', async () => {
    const error = (status: number, code: string) =>
      readPeerAnswer(
        new Response(JSON.stringify({ error: { code, message: 'x', details: [] } }), { status }),
        MAX_PEER_ANSWER_BYTES,
      );
    expect(await error(409, 'DUPLICATE_CONFLICT')).toEqual({
      ok: false,
      failure: 'permanent',
      status: 409,
      code: 'DUPLICATE_CONFLICT',
      reason: 'peer answered 409 DUPLICATE_CONFLICT',
    });
    expect(await error(503, 'DATABASE_UNAVAILABLE')).toMatchObject({
      failure: 'transient',
      code: 'DATABASE_UNAVAILABLE',
    });
    expect(await error(429, 'RATE_LIMITED')).toMatchObject({ failure: 'transient' });
    // Not the gateway's format, or a code that is not code-shaped: the status alone decides.
    const proxy = await readPeerAnswer(
      new Response('<html>Bad Gateway</html>', { status: 400 }),
      1024,
    );
    expect(proxy).toMatchObject({ ok: false, failure: 'transient', status: 400 });
    expect(proxy).not.toHaveProperty('code');
    expect(await error(409, 'SIGNATURE_INVALID\nINJECTED')).not.toHaveProperty('code');
  });
});

describe('PeerClient against a real HTTP server', () => {
  let server: Server;
  let endpoint: string;
  let answer: (response: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => answer(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('cuts off a peer that answers without end, within the bound', async () => {
    let written = 0;
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const more = () => {
        while (!response.destroyed && written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', more);
        }
      };
      response.on('close', () => undefined);
      more();
    };
    const result = await client().deliver(endpoint, routing, 'envelope', {
      correlationId: null,
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ ok: false, failure: 'transient', status: 200 });
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('tells when a chunk’s memory is released: after the peer read it, and on a kept-alive socket without piling up listeners', async () => {
    const received: number[] = [];
    answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ messageId: routing.messageId, next: null }));
    };
    // The sockets the transport waits on for a close (it keeps one alive for all the chunks).
    const watched = new Set<Socket>();
    const once = Object.getOwnPropertyDescriptor(EventEmitter.prototype, 'once')!.value as (
      this: Socket,
      event: string,
      listener: () => void,
    ) => Socket;
    Object.defineProperty(Socket.prototype, 'once', {
      configurable: true,
      writable: true,
      value: function (this: Socket, event: string, listener: () => void) {
        if (event === 'close') watched.add(this);
        return once.call(this, event, listener);
      },
    });
    const peers = client();
    try {
      for (let chunk = 0; chunk < 15; chunk++) {
        let releasedAfter = -1;
        const sealed = Buffer.alloc(256 * 1024, chunk);
        const result = await peers.putChunk(endpoint, routing, { attachment: 0, chunk }, sealed, {
          correlationId: null,
          timeoutMs: 5000,
          bodyReleased: () => (releasedAfter = received.length),
        });
        received.push(chunk);
        expect(result).toMatchObject({ ok: true });
        // Released before the answer was read: the server answers only once it has the body.
        expect(releasedAfter).toBe(chunk);
      }
    } finally {
      Reflect.deleteProperty(Socket.prototype, 'once');
    }
    expect(watched.size).toBe(1);
    expect([...watched][0].listenerCount('close')).toBeLessThan(8);
  });

  it('tells the release when the peer cannot be reached', async () => {
    let released!: () => void;
    const release = new Promise<string>((resolve) => (released = () => resolve('released')));
    const result = await client().putChunk(
      'http://127.0.0.1:1',
      routing,
      { attachment: 0, chunk: 0 },
      Buffer.alloc(1024),
      { correlationId: null, timeoutMs: 5000, bodyReleased: released },
    );
    expect(result).toMatchObject({ ok: false, failure: 'transient' });
    const never = new Promise<string>((resolve) => setTimeout(() => resolve('held'), 2000).unref());
    expect(await Promise.race([release, never])).toBe('released');
  });

  it('fails a permanent refusal and retries an unreachable peer', async () => {
    answer = (response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { code: 'SIGNATURE_INVALID', message: 'x', details: [] } }),
      );
    };
    const refused = await client().deliver(endpoint, routing, 'envelope', {
      correlationId: 'c',
      timeoutMs: 5000,
    });
    expect(refused).toMatchObject({ ok: false, failure: 'permanent', code: 'SIGNATURE_INVALID' });
    const unreachable = await client().deliver('http://127.0.0.1:1', routing, 'envelope', {
      correlationId: null,
      timeoutMs: 5000,
    });
    expect(unreachable).toMatchObject({ ok: false, failure: 'transient' });
  });
});
