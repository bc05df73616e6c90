import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import * as openpgp from 'openpgp';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import {
  canonicalJson,
  ENVELOPE_MEDIA_TYPE,
  generateAuthorityKeyPair,
  INBOUND_PATH,
  ROUTING_HEADERS,
  unlockPrivateKey,
  type EnvelopePayload,
  type PrivateKey,
  type PublicKey,
} from '#libs/envelope';
import { ErrorCode } from '#libs/errors';
import { LocalNetwork, mlaEnvelope } from '#tools/local-network';
import { keysOf, nodeDatabase, waitFor } from './support/network.js';

/*
 * Hostile input against the real peer endpoint of a real node: a few thousand generated and mutated
 * requests (valid envelopes, replays, mutations, forged and misdirected envelopes, hostile JSON
 * sealed with valid keys, bodies over the limits, wrong content types, oversized headers, garbage
 * HTTP), sent concurrently. Whatever arrives: no 5xx, every refusal in the error format with a
 * documented code and audited, nothing stored for a refused input, and the node stays ready.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const NG_PORT = 4232;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CASES = 3_000;
const CONCURRENCY = 16;
/** No new request is started after this; the test asserts on what ran. */
const SENDING_BUDGET_MS = 110_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_ENVELOPE_BYTES = 10 * 1024 * 1024; // config/gateway.json http.maxEnvelopeBytes
const DOCUMENTED: ReadonlySet<string> = new Set(Object.values(ErrorCode));
/** Refused by the HTTP server before routing: no routing metadata read, nothing audited. */
const BEFORE_ROUTING: ReadonlySet<string> = new Set([
  ErrorCode.REQUEST_MALFORMED,
  ErrorCode.REQUEST_HEADERS_TOO_LARGE,
  ErrorCode.REQUEST_TIMEOUT,
]);

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

// ---------------------------------------------------------------------------------------------
// What is generated
// ---------------------------------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
  | { kind: 'swapLines'; i: number; j: number }
  | { kind: 'header'; line: string }
  | { kind: 'invalidUtf8'; at: number }
  | { kind: 'hugeLine'; length: number }
  | { kind: 'crlf' }
  | { kind: 'packetFlip'; at: number; value: number };

type Sealed =
  | { kind: 'deep'; depth: number }
  | { kind: 'huge'; field: 'caseReference' | 'summaryOfFacts'; length: number }
  | { kind: 'unknown'; where: 'root' | 'handling' | 'body'; key: string }
  | { kind: 'wrongType'; field: string; value: unknown }
  | { kind: 'unstorable'; field: 'caseReference' | 'summaryOfFacts'; character: string }
  | { kind: 'createdAt'; value: string }
  | { kind: 'notObject'; value: unknown }
  | { kind: 'bodyField'; key: string; value: unknown };

type Forgery =
  'rogue-signer' | 'unknown-sender' | 'other-recipient' | 'encrypted-to-other' | 'unsigned';

type RawHttp =
  | 'bad-header-name'
  | 'control-in-value'
  | 'double-content-length'
  | 'cl-and-te'
  | 'bad-version'
  | 'long-url'
  | 'garbage';

type Case =
  | { kind: 'valid' }
  | { kind: 'replay'; slot: number; variant: 'same' | 'comment' | 'crlf' | 'other-id' }
  | { kind: 'mutated'; mutations: Mutation[] }
  | {
      kind: 'routing';
      sender: string | undefined;
      recipient: string | undefined;
      messageId: string | undefined;
    }
  | { kind: 'sealed'; change: Sealed }
  | { kind: 'stale'; offsetMs: number }
  | { kind: 'forged'; forgery: Forgery }
  | {
      kind: 'contentType';
      contentType: string | undefined;
      body: 'envelope' | 'json' | 'malformed-json' | 'random';
      json: unknown;
      random: Uint8Array;
    }
  | { kind: 'random'; body: Uint8Array; contentType: string }
  | { kind: 'oversize'; what: 'envelope' | 'json' | 'gzip-bomb' | 'pgp-bomb' }
  | { kind: 'headers'; what: 'oversized' | 'correlation' | 'many'; value: string }
  | { kind: 'siblings' }
  | { kind: 'raw'; what: RawHttp; garbage: Uint8Array };

const position = fc.nat({ max: 1_000_000 });
const headerSafe = fc
  .string({
    // What HTTP allows in a header value (no controls, no DEL), Latin-1 included.
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
      .map((c) => String.fromCharCode(c)),
    maxLength: 80,
  })
  .map((value) => value.trim());

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      at: position,
      bit: fc.nat({ max: 7 }),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: position,
    remove: fc.nat({ max: 32 }),
    insert: fc.uint8Array({ maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('swapLines' as const), i: position, j: position }),
  fc.record({
    kind: fc.constant('header' as const),
    line: fc.oneof(
      fc.string({ maxLength: 100 }).map((s) => `Comment: ${s}`),
      fc.constantFrom('Charset: ISO-8859-1', 'Version: 0', ': :', '-----'),
    ),
  }),
  fc.record({ kind: fc.constant('invalidUtf8' as const), at: position }),
  fc.record({
    kind: fc.constant('hugeLine' as const),
    length: fc.integer({ min: 1_000, max: 200_000 }),
  }),
  fc.constant({ kind: 'crlf' as const }),
  {
    arbitrary: fc.record({
      kind: fc.constant('packetFlip' as const),
      at: position,
      value: fc.nat({ max: 255 }),
    }),
    weight: 3,
  },
);

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1e308, '', [], {}, 'x'.repeat(300)),
);

const sealedArb: fc.Arbitrary<Sealed> = fc.oneof(
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1_000, max: 100_000 })),
  }),
  fc.record({
    kind: fc.constant('huge' as const),
    field: fc.constantFrom('caseReference' as const, 'summaryOfFacts' as const),
    length: fc.integer({ min: 10_000, max: 300_000 }),
  }),
  fc.record({
    kind: fc.constant('unknown' as const),
    where: fc.constantFrom('root' as const, 'handling' as const, 'body' as const),
    key: fc.oneof(
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.constantFrom('constructor', '__proto__'),
    ),
  }),
  fc.record({
    kind: fc.constant('wrongType' as const),
    field: fc.constantFrom(
      'formatVersion',
      'messageId',
      'procedure',
      'messageType',
      'requestId',
      'deadlineProfiles',
      'inReplyTo',
      'caseReference',
      'handling',
      'body',
      'attachments',
    ),
    value: hostileValue,
  }),
  fc.record({
    kind: fc.constant('unstorable' as const),
    field: fc.constantFrom('caseReference' as const, 'summaryOfFacts' as const),
    character: fc.constantFrom('\u0000', '\ud800', '\udfff'),
  }),
  fc.record({
    kind: fc.constant('createdAt' as const),
    value: fc.constantFrom('2026-W05', '2026', '20260101T000000Z', 'yesterday', '').map((v) => v),
  }),
  fc.record({ kind: fc.constant('notObject' as const), value: hostileValue }),
  fc.record({
    kind: fc.constant('bodyField' as const),
    key: fc.constantFrom('summaryOfFacts', 'persons', 'purpose', 'urgency', 'extraField'),
    value: hostileValue,
  }),
);

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'valid' as const }), weight: 6 },
  {
    arbitrary: fc.record({
      kind: fc.constant('replay' as const),
      slot: fc.nat({ max: 19 }),
      variant: fc.constantFrom(
        'same' as const,
        'same' as const,
        'comment' as const,
        'crlf' as const,
        'other-id' as const,
      ),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('mutated' as const),
      mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
    }),
    weight: 20,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('routing' as const),
      sender: fc.option(fc.oneof(fc.constantFrom(FR, NG, 'XX-NOBODY', 'fr-moj-bepi'), headerSafe), {
        nil: undefined,
      }),
      recipient: fc.option(fc.oneof(fc.constantFrom(FR, NG, 'XX-NOBODY', `${NG} `), headerSafe), {
        nil: undefined,
      }),
      messageId: fc.option(
        fc.oneof(
          fc.uuid({ version: 7 }),
          fc.constantFrom('-'.repeat(36), '0'.repeat(36), 'f'.repeat(32), `{${uuidv7()}}`),
          headerSafe,
        ),
        { nil: undefined },
      ),
    }),
    weight: 10,
  },
  { arbitrary: fc.record({ kind: fc.constant('sealed' as const), change: sealedArb }), weight: 16 },
  {
    arbitrary: fc.record({
      kind: fc.constant('stale' as const),
      offsetMs: fc.oneof(
        fc.integer({ min: -40 * 3_600_000, max: -27 * 3_600_000 }),
        fc.integer({ min: 6 * 60_000, max: 48 * 3_600_000 }),
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('forged' as const),
      forgery: fc.constantFrom<Forgery>(
        'rogue-signer',
        'unknown-sender',
        'other-recipient',
        'encrypted-to-other',
        'unsigned',
      ),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('contentType' as const),
      contentType: fc.option(
        fc.constantFrom(
          'text/plain',
          'application/json',
          'application/json; charset=latin1',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          `${ENVELOPE_MEDIA_TYPE}; charset=utf-16`,
          'APPLICATION/PGP-ENCRYPTED',
          'multipart/form-data; boundary=x',
          '///',
          'application/pgp-encrypted, application/json',
        ),
        { nil: undefined },
      ),
      body: fc.constantFrom(
        'envelope' as const,
        'json' as const,
        'malformed-json' as const,
        'random' as const,
      ),
      json: fc.jsonValue({ maxDepth: 3 }),
      random: fc.uint8Array({ maxLength: 2_048 }),
    }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('random' as const),
      body: fc.oneof(
        fc.uint8Array({ maxLength: 4_096 }),
        fc
          .string({ maxLength: 1_024 })
          .map((s) => bytes(`-----BEGIN PGP MESSAGE-----\n\n${s}\n-----END PGP MESSAGE-----\n`)),
      ),
      contentType: fc.constantFrom(ENVELOPE_MEDIA_TYPE, 'application/json'),
    }),
    weight: 8,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('oversize' as const),
      what: fc.constantFrom(
        'envelope' as const,
        'json' as const,
        'gzip-bomb' as const,
        'pgp-bomb' as const,
      ),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('headers' as const),
      what: fc.constantFrom('oversized' as const, 'correlation' as const, 'many' as const),
      value: headerSafe,
    }),
    weight: 3,
  },
  { arbitrary: fc.constant({ kind: 'siblings' as const }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      what: fc.constantFrom<RawHttp>(
        'bad-header-name',
        'control-in-value',
        'double-content-length',
        'cl-and-te',
        'bad-version',
        'long-url',
        'garbage',
      ),
      garbage: fc.uint8Array({ minLength: 1, maxLength: 512 }),
    }),
    weight: 3,
  },
);

// ---------------------------------------------------------------------------------------------
// Byte mutations
// ---------------------------------------------------------------------------------------------

function lines(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] === 0x0a) {
      out.push(input.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(input.subarray(start));
  return out;
}

const joinLines = (parts: Uint8Array[]) =>
  concat(...parts.flatMap((part, i) => (i === 0 ? [part] : [Uint8Array.of(0x0a), part])));

async function mutate(input: Uint8Array, mutation: Mutation): Promise<Uint8Array> {
  const at = (n: number, length: number) => (length === 0 ? 0 : n % length);
  switch (mutation.kind) {
    case 'flip': {
      const copy = input.slice();
      if (copy.length > 0) copy[at(mutation.at, copy.length)] ^= 1 << mutation.bit;
      return copy;
    }
    case 'truncate':
      return input.subarray(0, at(mutation.at, input.length));
    case 'splice': {
      const i = at(mutation.at, input.length);
      return concat(input.subarray(0, i), mutation.insert, input.subarray(i + mutation.remove));
    }
    case 'swapLines': {
      const all = lines(input);
      const i = at(mutation.i, all.length);
      const j = at(mutation.j, all.length);
      [all[i], all[j]] = [all[j], all[i]];
      return joinLines(all);
    }
    case 'header': {
      const all = lines(input);
      all.splice(1, 0, bytes(mutation.line));
      return joinLines(all);
    }
    case 'invalidUtf8': {
      const i = at(mutation.at, input.length);
      return concat(input.subarray(0, i), Uint8Array.of(0xc3, 0x28, 0xff), input.subarray(i));
    }
    case 'hugeLine': {
      const all = lines(input);
      all.splice(2, 0, bytes('A'.repeat(mutation.length)));
      return joinLines(all);
    }
    case 'crlf':
      return joinLines(lines(input).map((line) => concat(line, Uint8Array.of(0x0d))));
    case 'packetFlip': {
      try {
        const { data } = await openpgp.unarmor(Buffer.from(input).toString('latin1'));
        if (!(data instanceof Uint8Array) || data.length === 0) return input;
        const copy = data.slice();
        copy[at(mutation.at, copy.length)] = mutation.value;
        return bytes(openpgp.armor(openpgp.enums.armor.message, copy));
      } catch {
        return input;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

interface Answer {
  kind: Case['kind'];
  status: number;
  code?: string;
  /** The message id claimed in the routing header, as sent. */
  messageId?: string;
  /** What the test expects, where the input determines it. */
  expected?: { status: number; code?: string };
  problem?: string;
}

interface Outgoing {
  headers: Record<string, string>;
  body: Uint8Array;
  expected?: { status: number; code?: string };
}

async function post(url: string, kind: Case['kind'], request: Outgoing): Promise<Answer> {
  const messageId = request.headers[ROUTING_HEADERS.messageId];
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: Buffer.from(request.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return {
      kind,
      messageId,
      expected: request.expected,
      ...read(response.status, await response.text()),
    };
  } catch (error) {
    return {
      kind,
      messageId,
      status: 0,
      problem: `no answer: ${String((error as Error).cause ?? error)}`,
    };
  }
}

function read(status: number, text: string): { status: number; code?: string; problem?: string } {
  if (status === 200) {
    return text.startsWith('-----BEGIN PGP')
      ? { status }
      : { status, problem: `200 without a receipt: ${text.slice(0, 100)}` };
  }
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    const code = body.error?.code;
    if (typeof code !== 'string')
      return { status, problem: `no error code: ${text.slice(0, 200)}` };
    return { status, code };
  } catch {
    return { status, problem: `not the error format: ${text.slice(0, 200)}` };
  }
}

/** Writes raw bytes to the node and reads whatever comes back until the connection closes. */
function rawExchange(request: Uint8Array): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(NG_PORT, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({
        kind: 'raw',
        ...(status ? read(status, body) : { status: 0, problem: 'no answer' }),
      });
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', done);
    socket.end(request);
  });
}

function rawRequest(what: RawHttp, garbage: Uint8Array): Uint8Array {
  const head = (lines: string[], body = 'x') =>
    bytes(
      `POST ${INBOUND_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines.join('\r\n')}\r\n\r\n${body}`,
    );
  switch (what) {
    case 'bad-header-name':
      return head(['x envelope sender: FR-MOJ-BEPI', 'Content-Length: 1']);
    case 'control-in-value':
      return head([`${ROUTING_HEADERS.sender}: FR\u0001MOJ`, 'Content-Length: 1']);
    case 'double-content-length':
      return head(['Content-Length: 1', 'Content-Length: 2']);
    case 'cl-and-te':
      return head(['Content-Length: 1', 'Transfer-Encoding: chunked'], '0\r\n\r\n');
    case 'bad-version':
      return bytes(`POST ${INBOUND_PATH} HTTP/9.9\r\nHost: x\r\n\r\n`);
    case 'long-url':
      return bytes(`POST ${INBOUND_PATH}?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    case 'garbage':
      return concat(garbage, bytes('\r\n\r\n'));
  }
}

async function pool<T>(
  items: T[],
  concurrency: number,
  deadline: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length && Date.now() < deadline) {
        const item = items[next++];
        started++;
        await work(item);
      }
    }),
  );
  return started;
}

// ---------------------------------------------------------------------------------------------

describe('the peer endpoint under hostile input (fuzz)', () => {
  let network: LocalNetwork;
  let db: pg.Pool;
  let fr: { privateKey: PrivateKey; publicKey: PublicKey };
  let ng: { privateKey: PrivateKey; publicKey: PublicKey };
  let rogue: PrivateKey;
  let inbound: string;
  let serial = 0;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_fuzz',
      workDir: join(tmpdir(), 'gateway-e2e-fuzz'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4231,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: NG_PORT,
        },
      ],
      // Every input comes from this one address: the parser is under test here, not the limits.
      env: {
        GATEWAY_RATE_LIMIT_PER_PEER: '1000000',
        GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED: '1000000',
        GATEWAY_RATE_LIMIT_PER_ADDRESS: '1000000',
        // Refusals before authentication are counted per address and window: short windows here.
        GATEWAY_AUDIT_REFUSAL_WINDOW_SECONDS: '1',
      },
    });
    await network.startAll();
    db = nodeDatabase(network, NG);
    [fr, ng] = await Promise.all([keysOf(network, FR), keysOf(network, NG)]);
    const pair = await generateAuthorityKeyPair({
      authorityId: FR,
      authorityName: 'impostor',
      passphrase: 'x',
    });
    rogue = await unlockPrivateKey(pair.privateKeyArmored, 'x');
    inbound = `${network.url(NG)}${INBOUND_PATH}`;
  });

  afterAll(async () => {
    await network?.stopAll();
    await db?.end();
  });

  const payloadFor = (overrides: Partial<EnvelopePayload> = {}): EnvelopePayload =>
    mlaEnvelope(FR, NG, {
      // One case per input: a case row can then be traced to the input that opened it.
      caseReference: `FUZZ-${SEED}-${serial++}`,
      handling: { permittedPurpose: 'fuzz', confidential: false, noOnwardTransferTo: [] },
      ...overrides,
    });

  const routing = (p: Pick<EnvelopePayload, 'sender' | 'recipient' | 'messageId'>) => ({
    [ROUTING_HEADERS.sender]: p.sender,
    [ROUTING_HEADERS.recipient]: p.recipient,
    [ROUTING_HEADERS.messageId]: p.messageId,
  });

  /** Seals a payload as a peer does: its canonical JSON, signed by FR, encrypted to NG. */
  const seal = (payload: EnvelopePayload) => sealBytes(bytes(canonicalJson(payload)));

  /** Seals any plaintext (not necessarily JSON) the way a peer would, or a forger. */
  async function sealBytes(
    plaintext: Uint8Array,
    options: { signingKey?: PrivateKey | null; recipientKey?: PublicKey; compress?: boolean } = {},
  ): Promise<Uint8Array> {
    const message = await openpgp.createMessage({ binary: plaintext });
    const armored = await openpgp.encrypt({
      message,
      signingKeys: options.signingKey === null ? undefined : (options.signingKey ?? fr.privateKey),
      encryptionKeys: options.recipientKey ?? ng.publicKey,
      format: 'armored',
      config: options.compress
        ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib }
        : undefined,
    });
    return bytes(armored);
  }

  const envelope = (
    body: Uint8Array,
    headers: Record<string, string>,
    expected?: Outgoing['expected'],
  ) => ({
    headers: { 'content-type': ENVELOPE_MEDIA_TYPE, ...headers },
    body,
    expected,
  });

  /** A hostile document: the valid payload with one change, as JSON text (deep nesting spliced in). */
  function hostileDocument(payload: EnvelopePayload, change: Sealed): Uint8Array {
    const document = structuredClone(payload) as unknown as Record<string, unknown>;
    const body = document.body as Record<string, unknown>;
    const set = (target: Record<string, unknown>, key: string, value: unknown) =>
      Object.defineProperty(target, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    switch (change.kind) {
      case 'deep':
        body.nested = '@@deep@@';
        return bytes(
          JSON.stringify(document).replace(
            '"@@deep@@"',
            `${'{"n":'.repeat(change.depth)}1${'}'.repeat(change.depth)}`,
          ),
        );
      case 'huge':
        if (change.field === 'caseReference') document.caseReference = 'x'.repeat(change.length);
        else body.summaryOfFacts = 'x'.repeat(change.length);
        break;
      case 'unknown':
        set(
          change.where === 'root'
            ? document
            : change.where === 'body'
              ? body
              : (document.handling as Record<string, unknown>),
          change.key,
          1,
        );
        break;
      case 'wrongType':
        set(document, change.field, change.value);
        break;
      case 'unstorable':
        if (change.field === 'caseReference') document.caseReference = `a${change.character}b`;
        else body.summaryOfFacts = `a${change.character}b`;
        break;
      case 'createdAt':
        document.createdAt = change.value;
        break;
      case 'notObject':
        return bytes(JSON.stringify(change.value));
      case 'bodyField':
        set(body, change.key, change.value);
        break;
    }
    return bytes(JSON.stringify(document));
  }

  let bombs: { pgp: Uint8Array; gzip: Uint8Array } | undefined;
  async function bombsOf() {
    if (bombs) return bombs;
    // 50 MiB of whitespace inside a signed JSON document: a few KiB once compressed.
    const payload = payloadFor();
    const padded = JSON.stringify(payload).replace(
      '"attachments"',
      `${' '.repeat(50 << 20)}"attachments"`,
    );
    let message = await openpgp.createMessage({ binary: bytes(padded) });
    message = await message.sign([fr.privateKey]);
    type Compressible = { compress(algorithm: openpgp.enums.compression): typeof message };
    message = (message as unknown as Compressible).compress(openpgp.enums.compression.zlib);
    const pgp = bytes(
      await openpgp.encrypt({ message, encryptionKeys: ng.publicKey, format: 'armored' }),
    );
    const gzip = new Uint8Array(gzipSync(Buffer.alloc(64 << 20, 0x41)));
    bombs = { pgp, gzip };
    return bombs;
  }

  /** The replay pool: valid envelopes sent several times, some with other bytes or another id. */
  const replayPool: Array<Promise<{ payload: EnvelopePayload; armored: Uint8Array }>> = [];
  const replayOf = (slot: number) =>
    (replayPool[slot] ??= (async () => {
      const payload = payloadFor();
      return { payload, armored: await seal(payload) };
    })());

  async function build(input: Exclude<Case, { kind: 'siblings' | 'raw' }>): Promise<Outgoing> {
    switch (input.kind) {
      case 'valid': {
        const payload = payloadFor();
        return envelope(await seal(payload), routing(payload), { status: 200 });
      }
      case 'replay': {
        const { payload, armored } = await replayOf(input.slot);
        // The first of the variants to arrive is stored; the others are duplicates or conflicts.
        if (input.variant === 'same') return envelope(armored, routing(payload));
        if (input.variant === 'other-id')
          return envelope(armored, routing({ ...payload, messageId: uuidv7() }), {
            status: 422,
            code: ErrorCode.ROUTING_MISMATCH,
          });
        const changed = await mutate(
          armored,
          input.variant === 'crlf'
            ? { kind: 'crlf' }
            : { kind: 'header', line: 'Comment: replayed' },
        );
        return envelope(changed, routing(payload));
      }
      case 'mutated': {
        const payload = payloadFor();
        let raw: Uint8Array = await seal(payload);
        for (const mutation of input.mutations) raw = await mutate(raw, mutation);
        return envelope(raw, routing(payload));
      }
      case 'routing': {
        const payload = payloadFor();
        const headers: Record<string, string> = {};
        if (input.sender !== undefined) headers[ROUTING_HEADERS.sender] = input.sender;
        if (input.recipient !== undefined) headers[ROUTING_HEADERS.recipient] = input.recipient;
        if (input.messageId !== undefined) headers[ROUTING_HEADERS.messageId] = input.messageId;
        return envelope(await seal(payload), headers);
      }
      case 'sealed': {
        const payload = payloadFor();
        return envelope(await sealBytes(hostileDocument(payload, input.change)), routing(payload));
      }
      case 'stale': {
        const payload = payloadFor({
          createdAt: new Date(Date.now() + input.offsetMs).toISOString(),
        });
        return envelope(await seal(payload), routing(payload), {
          status: 422,
          code: input.offsetMs < 0 ? ErrorCode.ENVELOPE_EXPIRED : ErrorCode.ENVELOPE_FROM_FUTURE,
        });
      }
      case 'forged': {
        switch (input.forgery) {
          case 'rogue-signer': {
            const payload = payloadFor();
            const raw = await sealBytes(bytes(JSON.stringify(payload)), { signingKey: rogue });
            return envelope(raw, routing(payload), {
              status: 403,
              code: ErrorCode.SIGNATURE_INVALID,
            });
          }
          case 'unsigned': {
            const payload = payloadFor();
            const raw = await sealBytes(bytes(JSON.stringify(payload)), { signingKey: null });
            return envelope(raw, routing(payload), {
              status: 403,
              code: ErrorCode.SIGNATURE_INVALID,
            });
          }
          case 'unknown-sender': {
            const payload = payloadFor({ sender: 'BR-MJ-DRCI' });
            return envelope(await seal(payload), routing(payload), {
              status: 403,
              code: ErrorCode.UNKNOWN_SENDER,
            });
          }
          case 'other-recipient': {
            const payload = payloadFor({ recipient: FR });
            const raw = await sealBytes(bytes(JSON.stringify(payload)), {
              recipientKey: fr.publicKey,
            });
            return envelope(raw, routing(payload), {
              status: 422,
              code: ErrorCode.WRONG_RECIPIENT,
            });
          }
          case 'encrypted-to-other': {
            const payload = payloadFor();
            const raw = await sealBytes(bytes(JSON.stringify(payload)), {
              recipientKey: fr.publicKey,
            });
            return envelope(raw, routing(payload), {
              status: 400,
              code: ErrorCode.ENVELOPE_DECRYPTION_FAILED,
            });
          }
        }
        break;
      }
      case 'contentType': {
        const payload = payloadFor();
        const body =
          input.body === 'envelope'
            ? await seal(payload)
            : input.body === 'json'
              ? bytes(JSON.stringify(input.json))
              : input.body === 'malformed-json'
                ? bytes('{"messageId": "x", ')
                : input.random;
        const headers: Record<string, string> = { ...routing(payload) };
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        return { headers, body };
      }
      case 'random': {
        const payload = payloadFor();
        return {
          headers: { 'content-type': input.contentType, ...routing(payload) },
          body: input.body,
        };
      }
      case 'oversize': {
        const payload = payloadFor();
        const tooLarge = { status: 413, code: ErrorCode.ENVELOPE_TOO_LARGE };
        switch (input.what) {
          case 'envelope':
            return envelope(
              new Uint8Array(MAX_ENVELOPE_BYTES + 1).fill(0x41),
              routing(payload),
              tooLarge,
            );
          case 'json':
            return {
              headers: { 'content-type': 'application/json', ...routing(payload) },
              body: bytes(JSON.stringify({ pad: 'x'.repeat(2 << 20) })),
              expected: tooLarge,
            };
          case 'gzip-bomb':
            return envelope(
              (await bombsOf()).gzip,
              { ...routing(payload), 'content-encoding': 'gzip' },
              tooLarge,
            );
          case 'pgp-bomb':
            // Refused while decompressing: the sealed ids never match, any routing will do.
            return envelope((await bombsOf()).pgp, routing(payload), tooLarge);
        }
        break;
      }
      case 'headers': {
        const payload = payloadFor();
        const raw = await seal(payload);
        switch (input.what) {
          case 'oversized':
            return envelope(
              raw,
              { ...routing(payload), 'x-padding': 'p'.repeat(20_000) },
              {
                status: 431,
                code: ErrorCode.REQUEST_HEADERS_TOO_LARGE,
              },
            );
          case 'correlation':
            return envelope(
              raw,
              { ...routing(payload), 'x-correlation-id': input.value },
              { status: 200 },
            );
          case 'many':
            return envelope(
              raw,
              {
                ...routing(payload),
                ...Object.fromEntries(
                  Array.from({ length: 100 }, (_, i) => [`x-h${i}`, input.value]),
                ),
              },
              { status: 200 },
            );
        }
      }
    }
    throw new Error(`unhandled case ${JSON.stringify(input)}`);
  }

  async function exchange(input: Case): Promise<Answer[]> {
    if (input.kind === 'raw') return [await rawExchange(rawRequest(input.what, input.garbage))];
    if (input.kind === 'siblings') {
      // Two different messages opening the same request, at once.
      const first = payloadFor();
      const second = payloadFor({ requestId: first.requestId });
      const requests = [first, second].map(async (payload) =>
        envelope(await seal(payload), routing(payload)),
      );
      return Promise.all(
        (await Promise.all(requests)).map((request) => post(inbound, 'siblings', request)),
      );
    }
    return [await post(inbound, input.kind, await build(input))];
  }

  const count = async (sql: string, values: unknown[] = []) =>
    Number((await db.query<{ n: string }>(sql, values)).rows[0].n);

  const snapshot = async () => ({
    messages: await count('select count(*) as n from messages'),
    envelopes: await count('select count(*) as n from envelopes'),
    receipts: await count('select count(*) as n from receipts'),
    requests: await count('select count(*) as n from requests'),
    cases: await count('select count(*) as n from cases'),
    received: await count(`select count(*) as n from audit_log where event = 'message.received'`),
    duplicates: await count(
      `select count(*) as n from audit_log where event = 'message.duplicate'`,
    ),
    lastAudit: await count('select coalesce(max(id), 0) as n from audit_log'),
  });

  it('answers thousands of hostile inputs without a 5xx, audits every refusal and stores nothing refused', async () => {
    const started = Date.now();
    const cases = fc.sample(caseArb, { numRuns: CASES, seed: SEED });
    const before = await snapshot();

    const answers: Answer[] = [];
    const ran = await pool(cases, CONCURRENCY, started + SENDING_BUDGET_MS, async (input) => {
      answers.push(...(await exchange(input)));
    });
    const elapsed = Date.now() - started;

    const after = await snapshot();
    const byKind = new Map<string, Map<string, number>>();
    for (const answer of answers) {
      const outcomes = byKind.get(answer.kind) ?? new Map<string, number>();
      const key = answer.code ?? String(answer.status);
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      byKind.set(answer.kind, outcomes);
    }
    console.info(
      `inbound fuzz (seed ${SEED}): ${ran} cases, ${answers.length} requests in ${elapsed} ms\n` +
        [...byKind]
          .map(([kind, outcomes]) => `  ${kind}: ${JSON.stringify(Object.fromEntries(outcomes))}`)
          .join('\n'),
    );

    // Bounded and substantial.
    expect(ran).toBeGreaterThanOrEqual(Math.min(CASES, 1_000));

    // No 5xx, no silence, the error format with a documented code, and what the input determines.
    const wrong = answers.filter(
      (a) =>
        a.status >= 500 ||
        a.problem !== undefined ||
        (a.status !== 200 && !DOCUMENTED.has(a.code ?? '')) ||
        (a.expected !== undefined &&
          (a.status !== a.expected.status ||
            (a.expected.code !== undefined && a.code !== a.expected.code))),
    );
    expect(wrong.slice(0, 20)).toEqual([]);

    // Stored: exactly one message, envelope and receipt per accepted message id, nothing else.
    const accepted = new Set(answers.filter((a) => a.status === 200).map((a) => a.messageId!));
    const acceptedAnswers = answers.filter((a) => a.status === 200).length;
    expect(after.messages - before.messages).toBe(accepted.size);
    expect(after.envelopes - before.envelopes).toBe(accepted.size);
    expect(after.receipts - before.receipts).toBe(accepted.size);
    expect(after.received - before.received).toBe(accepted.size);
    expect(after.duplicates - before.duplicates).toBe(acceptedAnswers - accepted.size);
    expect(
      await count('select count(*) as n from messages where id = any($1::uuid[])', [[...accepted]]),
    ).toBe(accepted.size);
    const refusedIds = [
      ...new Set(answers.filter((a) => a.status !== 200).map((a) => a.messageId ?? '')),
    ].filter(
      (id) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) &&
        !accepted.has(id),
    );
    expect(
      await count('select count(*) as n from messages where id = any($1::uuid[])', [refusedIds]),
    ).toBe(0);
    // No request was left behind without the message that opened it (a refused sibling's id may
    // name a request its accepted sibling opened).
    expect(
      await count(
        `select count(*) as n from requests r where r.id = any($1::uuid[])
         and not exists (select 1 from messages m where m.request_id = r.id)`,
        [refusedIds],
      ),
    ).toBe(0);
    // Every accepted message opened its own request and case; refused ones left none behind.
    expect(after.requests - before.requests).toBe(
      await count(
        'select count(distinct request_id) as n from messages where id = any($1::uuid[])',
        [[...accepted]],
      ),
    );
    expect(after.cases - before.cases).toBe(after.requests - before.requests);

    // Every refusal that reached the endpoint is audited once, with the code it was answered with:
    // in an entry of its own, or counted in its address and window's entry (anonymous sources).
    const refusals = answers.filter(
      (a) => a.status !== 200 && a.code && !BEFORE_ROUTING.has(a.code),
    );
    const tally = (codes: string[]) =>
      Object.fromEntries(
        [...new Set(codes)].sort().map((code) => [code, codes.filter((c) => c === code).length]),
      );
    const expected = tally(refusals.map((a) => a.code!));
    const audited = async () => {
      const { rows } = await db.query<{ code: string; n: string }>(
        `select details->>'code' as code,
                sum(case when details->>'aggregated' = 'true' then (details->>'count')::int else 1 end) as n
           from audit_log where event = 'message.rejected' and id > $1 group by 1 order by 1`,
        [before.lastAudit],
      );
      return Object.fromEntries(rows.map((r) => [r.code, Number(r.n)]));
    };
    await waitFor(
      async () => JSON.stringify(await audited()) === JSON.stringify(expected),
      'every refusal counted in the audit trail',
      20_000,
    ).catch(() => undefined);
    expect(await audited()).toEqual(expected);

    // And the node is still up and ready.
    expect(network.isRunning(NG, 'gateway')).toBe(true);
    const ready = await fetch(`${network.url(NG)}/health/ready`);
    expect(ready.status).toBe(200);
  }, 180_000);

  it('refuses the 60,000-session-key envelope before decrypting it, audits each refusal, and stays live (security S1)', async () => {
    // A genuine envelope to NG, whose session key packet to NG is then repeated 60,000 times.
    // What such envelopes cost the gateway is measured by `npm run bench:hostile`.
    const payload = payloadFor();
    const { data } = await openpgp.unarmor(new TextDecoder().decode(await seal(payload)));
    if (!(data instanceof Uint8Array)) throw new Error('unarmor gave a stream');
    expect(data[0]).toBe(0xc1); // a new-format PKESK header, one-octet length
    const toRecipient = data.subarray(0, 2 + data[1]);
    const rest = data.subarray(2 + data[1]);
    const bomb = bytes(
      openpgp.armor(
        openpgp.enums.armor.message,
        concat(...Array.from({ length: 60_000 }, () => toRecipient), rest),
      ),
    );
    expect(bomb.length).toBeGreaterThan(7_500_000);
    /**
     * One POST on its own connection (node:http, no keep-alive): with bodies this large, a pooled
     * connection can be closed as idle by the server just as the next upload starts (EPIPE).
     */
    const post = (body: Uint8Array, sender = FR) =>
      new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const headers = {
          'content-type': ENVELOPE_MEDIA_TYPE,
          'content-length': String(body.length),
          ...routing({ ...payload, sender, messageId: uuidv7() }),
        };
        const request = httpRequest(
          inbound,
          { method: 'POST', headers, agent: false },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve(read(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
            );
          },
        );
        request.on('error', reject);
        request.end(Buffer.from(body));
      });
    const refusals = () =>
      count(
        `select count(*) as n from audit_log where event = 'message.rejected' and details->>'code' = $1`,
        [ErrorCode.ENVELOPE_STRUCTURE_INVALID],
      );

    const before = await refusals();
    for (let i = 0; i < 3; i++) {
      expect(await post(bomb)).toMatchObject({
        status: 400,
        code: ErrorCode.ENVELOPE_STRUCTURE_INVALID,
      });
    }
    // Each refusal is audited as the other refusals before routing are.
    expect(await refusals()).toBe(before + 3);

    /**
     * The liveness probe, as an orchestrator runs it: an answer 200 within its timeout. curl runs
     * it in its own process, so that this test's uploads do not delay the probe itself.
     */
    const live = () =>
      new Promise<string>((resolve) =>
        execFile(
          'curl',
          [
            '-s',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '--max-time',
            '10',
            `${network.url(NG)}/health/live`,
          ],
          (_error: Error | null, stdout: string) => resolve(stdout.trim()),
        ),
      );
    async function liveDuringFlood(
      request: () => Promise<{ code?: string }>,
      count: number,
      expected: string,
    ) {
      const flood = Promise.all(Array.from({ length: count }, request));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const status = await live();
      for (const answer of await flood) expect(answer).toMatchObject({ code: expected });
      return status;
    }
    // Sixteen at once (the probe took 27 s before S1, when each was decrypted).
    expect(await liveDuringFlood(() => post(bomb), 16, ErrorCode.ENVELOPE_STRUCTURE_INVALID)).toBe(
      '200',
    );

    // A well-formed envelope of 7 MB that anyone can encrypt to NG (signed by an impostor) must be
    // decrypted before its signature can be judged; meanwhile the node stays live.
    const forged = await sealBytes(new Uint8Array(7_000_000).fill(0x78), { signingKey: rogue });
    expect(forged.length).toBeGreaterThan(9_000_000);
    expect(await post(forged)).toMatchObject({ status: 403, code: ErrorCode.SIGNATURE_INVALID });
    expect(await liveDuringFlood(() => post(forged), 8, ErrorCode.SIGNATURE_INVALID)).toBe('200');
  }, 120_000);
});
