import fc from 'fast-check';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  generateAuthorityKeyPair,
  openEnvelope,
  readPublicKey,
  unlockPrivateKey,
  type EnvelopePayload,
  type EnvelopeRouting,
  type OpenedEnvelope,
  type OpeningPolicy,
  type PrivateKey,
  type PublicKey,
} from './index.js';
import { checkPayloadLimits, PAYLOAD_LIMITS } from './payload-limits.js';
import { parseEnvelopePayload } from './payload-schema.js';

/**
 * Hostile input against the envelope parser: random bytes, mutated armored envelopes, forged
 * routing, and sealed documents that are valid OpenPGP from a known sender but hostile JSON. Every
 * input must either open to a valid payload or be refused with a GatewayError carrying one of the
 * codes below: never another exception, never a hang.
 */
const PARSER_CODES: ReadonlySet<string> = new Set([
  ErrorCode.ENVELOPE_ROUTING_MISSING,
  ErrorCode.ENVELOPE_TOO_LARGE,
  ErrorCode.ENVELOPE_MALFORMED,
  ErrorCode.ENVELOPE_STRUCTURE_INVALID,
  ErrorCode.UNKNOWN_SENDER,
  ErrorCode.WRONG_RECIPIENT,
  ErrorCode.ENVELOPE_DECRYPTION_FAILED,
  ErrorCode.SIGNATURE_INVALID,
  ErrorCode.PAYLOAD_INVALID,
  ErrorCode.PAYLOAD_TOO_DEEP,
  ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
  ErrorCode.ROUTING_MISMATCH,
  ErrorCode.ENVELOPE_EXPIRED,
  ErrorCode.ENVELOPE_FROM_FUTURE,
]);

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
/** Per input: an input that takes longer has hung. */
const SETTLE_MS = 10_000;
/** Per property: fast-check stops generating (and the test passes on what ran) after this. */
const PROPERTY_BUDGET_MS = 45_000;

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

interface Party {
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

async function party(id: string): Promise<Party> {
  const pair = await generateAuthorityKeyPair({
    authorityId: id,
    authorityName: id,
    passphrase: 'pw',
  });
  return {
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, 'pw'),
    publicKey: await readPublicKey(pair.publicKeyArmored),
  };
}

function validPayload(now: Date): EnvelopePayload {
  const messageId = uuidv7();
  return {
    formatVersion: 1,
    messageId,
    procedure: 'mla',
    messageType: 'request',
    requestId: messageId,
    deadlineProfiles: ['untoc-mla'],
    sender: FR,
    recipient: NG,
    createdAt: now.toISOString(),
    inReplyTo: null,
    caseReference: 'FR-2026-001',
    handling: {
      permittedPurpose: 'criminal proceedings',
      confidential: true,
      noOnwardTransferTo: [],
    },
    body: { summaryOfFacts: 'Recruitment by deception.', persons: [{ names: ['Okoro'] }] },
    attachments: [{ name: 'a.pdf', mediaType: 'application/pdf', size: 3, sha256: 'a'.repeat(64) }],
  };
}

const routingOf = (p: EnvelopePayload): EnvelopeRouting => ({
  sender: p.sender,
  recipient: p.recipient,
  messageId: p.messageId,
});

type Sealing =
  'valid' | 'compressed' | 'rogue-signer' | 'unsigned' | 'other-recipient' | 'password';

// ---------------------------------------------------------------------------------------------
// Byte-level mutations of armored envelopes
// ---------------------------------------------------------------------------------------------

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
  | { kind: 'swapLines'; i: number; j: number }
  | { kind: 'dropLine'; i: number }
  | { kind: 'duplicateLine'; i: number }
  | { kind: 'header'; line: string }
  | { kind: 'label'; label: string }
  | { kind: 'invalidUtf8'; at: number; sequence: readonly number[] }
  | { kind: 'hugeLine'; i: number; length: number; char: string }
  | { kind: 'crlf' }
  | { kind: 'oneLine' }
  | { kind: 'utf16' }
  | { kind: 'latin1Header'; text: string }
  | { kind: 'packetFlip'; at: number; value: number }
  | { kind: 'packetTruncate'; at: number }
  | { kind: 'packetAppend'; extra: Uint8Array }
  | { kind: 'concat' };

const position = fc.nat({ max: 1_000_000 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('flip'), at: position, bit: fc.nat({ max: 7 }) }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('truncate'), at: position }),
  fc.record({
    kind: fc.constant('splice'),
    at: position,
    remove: fc.nat({ max: 64 }),
    insert: fc.uint8Array({ maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('swapLines'), i: position, j: position }),
  fc.record({ kind: fc.constant('dropLine'), i: position }),
  fc.record({ kind: fc.constant('duplicateLine'), i: position }),
  fc.record({
    kind: fc.constant('header'),
    line: fc.oneof(
      fc.string({ maxLength: 200 }).map((value) => `Comment: ${value}`),
      fc.constantFrom(
        'Version: 1',
        'Charset: ISO-8859-1',
        'Hash: SHA1',
        ': x',
        'Comment:',
        '-----',
      ),
      fc.string({ unit: 'binary', maxLength: 200 }),
    ),
  }),
  fc.record({
    kind: fc.constant('label'),
    label: fc.constantFrom(
      'PGP SIGNATURE',
      'PGP PUBLIC KEY BLOCK',
      'PGP MESSAGE, PART 1/2',
      'X',
      '',
    ),
  }),
  fc.record({
    kind: fc.constant('invalidUtf8'),
    at: position,
    sequence: fc.constantFrom(
      [0xff],
      [0xc3, 0x28],
      [0xe2, 0x82],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xc0, 0xaf],
    ),
  }),
  fc.record({
    kind: fc.constant('hugeLine'),
    i: position,
    length: fc.oneof(fc.integer({ min: 1_000, max: 300_000 }), fc.constant(1_100_000)),
    char: fc.constantFrom('A', '=', ' ', '-', '\t'),
  }),
  fc.constant({ kind: 'crlf' as const }),
  fc.constant({ kind: 'oneLine' as const }),
  fc.constant({ kind: 'utf16' as const }),
  fc.record({
    kind: fc.constant('latin1Header'),
    text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  }),
  {
    arbitrary: fc.record({
      kind: fc.constant('packetFlip'),
      at: position,
      value: fc.nat({ max: 255 }),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('packetTruncate'), at: position }),
  fc.record({
    kind: fc.constant('packetAppend'),
    extra: fc.uint8Array({ minLength: 1, maxLength: 300 }),
  }),
  fc.constant({ kind: 'concat' as const }),
);

const concatBytes = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

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
  concatBytes(...parts.flatMap((part, i) => (i === 0 ? [part] : [Uint8Array.of(0x0a), part])));

/** The binary OpenPGP packets inside an armored envelope, or undefined once the armor is broken. */
async function dearmor(input: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    const { data } = await openpgp.unarmor(Buffer.from(input).toString('latin1'));
    return data instanceof Uint8Array ? data : undefined;
  } catch {
    return undefined;
  }
}

const rearmor = (packets: Uint8Array) => bytes(openpgp.armor(openpgp.enums.armor.message, packets));

async function mutate(
  input: Uint8Array,
  mutation: Mutation,
  other: Uint8Array,
): Promise<Uint8Array> {
  const at = (n: number, length: number) => (length === 0 ? 0 : n % length);
  switch (mutation.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const copy = input.slice();
      copy[at(mutation.at, copy.length)] ^= 1 << mutation.bit;
      return copy;
    }
    case 'truncate':
      return input.subarray(0, at(mutation.at, input.length));
    case 'splice': {
      const i = at(mutation.at, input.length);
      return concatBytes(
        input.subarray(0, i),
        mutation.insert,
        input.subarray(i + mutation.remove),
      );
    }
    case 'swapLines': {
      const all = lines(input);
      const i = at(mutation.i, all.length);
      const j = at(mutation.j, all.length);
      [all[i], all[j]] = [all[j], all[i]];
      return joinLines(all);
    }
    case 'dropLine': {
      const all = lines(input);
      all.splice(at(mutation.i, all.length), 1);
      return joinLines(all);
    }
    case 'duplicateLine': {
      const all = lines(input);
      const i = at(mutation.i, all.length);
      all.splice(i, 0, all[i]);
      return joinLines(all);
    }
    case 'header': {
      const all = lines(input);
      all.splice(1, 0, bytes(mutation.line));
      return joinLines(all);
    }
    case 'label': {
      const text = Buffer.from(input).toString('latin1').replaceAll('PGP MESSAGE', mutation.label);
      return new Uint8Array(Buffer.from(text, 'latin1'));
    }
    case 'invalidUtf8': {
      const i = at(mutation.at, input.length);
      return concatBytes(
        input.subarray(0, i),
        Uint8Array.from(mutation.sequence),
        input.subarray(i),
      );
    }
    case 'hugeLine': {
      const all = lines(input);
      all.splice(at(mutation.i, all.length), 0, bytes(mutation.char.repeat(mutation.length)));
      return joinLines(all);
    }
    case 'crlf':
      return joinLines(lines(input).map((line) => concatBytes(line, Uint8Array.of(0x0d))));
    case 'oneLine': {
      const all = lines(input);
      const body = all.slice(2, -2);
      return joinLines([...all.slice(0, 2), concatBytes(...body), ...all.slice(-2)]);
    }
    case 'utf16':
      return new Uint8Array(Buffer.from(Buffer.from(input).toString('latin1'), 'utf16le'));
    case 'latin1Header': {
      const all = lines(input);
      all.splice(1, 0, new Uint8Array(Buffer.from(`Comment: ${mutation.text}`, 'latin1')));
      return joinLines(all);
    }
    case 'packetFlip': {
      const packets = await dearmor(input);
      if (!packets || packets.length === 0) return input;
      const copy = packets.slice();
      copy[at(mutation.at, copy.length)] = mutation.value;
      return rearmor(copy);
    }
    case 'packetTruncate': {
      const packets = await dearmor(input);
      return packets ? rearmor(packets.subarray(0, at(mutation.at, packets.length))) : input;
    }
    case 'packetAppend': {
      const packets = await dearmor(input);
      return packets ? rearmor(concatBytes(packets, mutation.extra)) : input;
    }
    case 'concat':
      return concatBytes(input, Uint8Array.of(0x0a), other);
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile JSON documents, sealed with valid keys
// ---------------------------------------------------------------------------------------------

const FIELDS = [
  'formatVersion',
  'messageId',
  'procedure',
  'messageType',
  'requestId',
  'deadlineProfiles',
  'sender',
  'recipient',
  'createdAt',
  'inReplyTo',
  'caseReference',
  'handling',
  'body',
  'attachments',
] as const;
const STRING_PATHS = [
  'caseReference',
  'messageType',
  'createdAt',
  'handling.permittedPurpose',
  'body.summaryOfFacts',
  'attachments.0.name',
  'deadlineProfiles.0',
] as const;
const CONTAINER_PATHS = ['', 'handling', 'body', 'attachments.0', 'body.persons.0'] as const;

type DocumentMutation =
  | { kind: 'delete'; field: string }
  | { kind: 'set'; path: string; value: unknown }
  | { kind: 'unknown'; container: string; key: string; value: unknown }
  | { kind: 'deep'; container: string; depth: number; shape: 'object' | 'array' }
  | { kind: 'huge'; path: string; length: number }
  | { kind: 'many'; container: string; count: number }
  | { kind: 'unstorable'; path: string; character: string }
  | { kind: 'createdAt'; value: string };

/** createdAt values: valid, stale, from the future, and ISO 8601 forms other than RFC 3339. */
function createdAtArb(now: Date): fc.Arbitrary<string> {
  const offsetMs = fc.oneof(
    fc.integer({ min: -30_000, max: 30_000 }),
    fc.integer({ min: -10 * 3_600_000, max: 10 * 3_600_000 }),
  );
  const format = fc.oneof(
    { arbitrary: fc.constant(0), weight: 6 },
    fc.integer({ min: 1, max: 11 }),
  );
  return fc.tuple(offsetMs, format).map(([offset, format]) => {
    const date = new Date(now.getTime() + offset);
    const iso = date.toISOString();
    const year = iso.slice(0, 4);
    switch (format) {
      case 0:
        return iso;
      case 1:
        return iso.slice(0, 10);
      case 2:
        return iso.slice(0, 7);
      case 3:
        return year;
      case 4:
        return `${year}-W${String(1 + (date.getUTCDate() % 52)).padStart(2, '0')}`;
      case 5:
        return `${year}-${String(1 + (date.getUTCDate() % 365)).padStart(3, '0')}`;
      case 6:
        return iso.replace(/[-:]/g, '').replace('.', ',');
      case 7:
        return iso.replace('Z', '+01');
      case 8:
        return `${iso.slice(0, 19)}.123456789+14:00`;
      case 9:
        return iso.slice(0, 13) + 'Z';
      case 10:
        return iso.replace('T', ' ');
      default:
        return `${iso.slice(0, 19)},5Z`;
    }
  });
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, '', [], {}, [[]], { length: 1e9 }, '__proto__'),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

function documentMutationArb(now: Date): fc.Arbitrary<DocumentMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('delete'), field: fc.constantFrom(...FIELDS) }),
    {
      arbitrary: fc.record({
        kind: fc.constant('set'),
        path: fc.constantFrom(...FIELDS, ...STRING_PATHS, 'handling.confidential', 'attachments.0'),
        value: hostileValue,
      }),
      weight: 3,
    },
    fc.record({
      kind: fc.constant('unknown'),
      container: fc.constantFrom(...CONTAINER_PATHS),
      key: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
      ),
      value: hostileValue,
    }),
    fc.record({
      kind: fc.constant('deep'),
      container: fc.constantFrom(...CONTAINER_PATHS),
      depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50_000 })),
      shape: fc.constantFrom('object' as const, 'array' as const),
    }),
    fc.record({
      kind: fc.constant('huge'),
      path: fc.constantFrom(...STRING_PATHS),
      length: fc.integer({ min: 90_000, max: 150_000 }),
    }),
    fc.record({
      kind: fc.constant('many'),
      container: fc.constantFrom('body', 'attachments', 'deadlineProfiles'),
      count: fc.oneof(
        fc.integer({ min: 100, max: 5_000 }),
        fc.integer({ min: 45_000, max: 60_000 }),
      ),
    }),
    fc.record({
      kind: fc.constant('unstorable'),
      path: fc.constantFrom(...STRING_PATHS, 'body.persons.0.names.0'),
      character: fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00\ud800'),
    }),
    {
      arbitrary: fc.record({ kind: fc.constant('createdAt'), value: createdAtArb(now) }),
      weight: 2,
    },
  );
}

type Json = Record<string, unknown> | unknown[];

/** The container at a dotted path, created as an object when missing; undefined if not a container. */
function containerAt(root: Json, path: string): Json | undefined {
  let node: unknown = root;
  for (const key of path ? path.split('.') : []) {
    if (typeof node !== 'object' || node === null) return undefined;
    const record = node as Record<string, unknown>;
    if (typeof record[key] !== 'object' || record[key] === null) record[key] = {};
    node = record[key];
  }
  return typeof node === 'object' && node !== null ? (node as Json) : undefined;
}

function setAt(root: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const parent = containerAt(root, keys.join('.'));
  if (parent)
    Object.defineProperty(parent, last, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

/**
 * A value nested `depth` containers deep. JSON.stringify recurses, so it stands in the document as a
 * placeholder string that encodeDocument expands in the text.
 */
function nested(depth: number, shape: 'object' | 'array'): string {
  return `@@nested:${depth}:${shape}@@`;
}

const expandNested = (text: string) =>
  text.replace(/"@@nested:(\d+):(object|array)@@"/g, (_, depth: string, shape: string) => {
    const n = Number(depth);
    return shape === 'object'
      ? `${'{"n":'.repeat(n)}"leaf"${'}'.repeat(n)}`
      : `${'['.repeat(n)}"leaf"${']'.repeat(n)}`;
  });

function applyDocumentMutation(
  document: Record<string, unknown>,
  mutation: DocumentMutation,
): void {
  switch (mutation.kind) {
    case 'delete':
      delete document[mutation.field];
      return;
    case 'set':
      setAt(document, mutation.path, mutation.value);
      return;
    case 'unknown': {
      const container = containerAt(document, mutation.container);
      if (container)
        Object.defineProperty(container, mutation.key, {
          value: mutation.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return;
    }
    case 'deep': {
      const container = containerAt(document, mutation.container);
      if (container)
        (container as Record<string, unknown>).deep = nested(mutation.depth, mutation.shape);
      return;
    }
    case 'huge':
      setAt(document, mutation.path, 'x'.repeat(mutation.length));
      return;
    case 'many': {
      const items = Array.from({ length: mutation.count }, (_, i) => i);
      if (mutation.container === 'body') {
        document.body = Object.fromEntries(items.map((i) => [`k${i}`, i]));
      } else {
        document[mutation.container] = items.map(() => 'ab');
      }
      return;
    }
    case 'unstorable':
      setAt(document, mutation.path, `text ${mutation.character} text`);
      return;
    case 'createdAt':
      document.createdAt = mutation.value;
      return;
  }
}

type Encoding =
  'json' | 'bom' | 'trailing-garbage' | 'duplicate-key' | 'utf16' | 'latin1' | 'escaped';
const encodingArb = fc.oneof(
  { arbitrary: fc.constant<Encoding>('json'), weight: 8 },
  fc.constantFrom<Encoding>(
    'bom',
    'trailing-garbage',
    'duplicate-key',
    'utf16',
    'latin1',
    'escaped',
  ),
);

/** The plaintext bytes of a document under an encoding, valid or not. */
function encodeDocument(document: unknown, encoding: Encoding): Uint8Array {
  const text = expandNested(JSON.stringify(document) ?? 'undefined');
  switch (encoding) {
    case 'json':
      return bytes(text);
    case 'bom':
      return bytes(`\ufeff${text}`);
    case 'trailing-garbage':
      return bytes(`${text} {"more": 1}`);
    case 'duplicate-key':
      return bytes(text.replace(/^\{/, '{"messageId":"not-a-uuid",'));
    case 'utf16':
      return new Uint8Array(Buffer.from(text, 'utf16le'));
    case 'latin1':
      return new Uint8Array(Buffer.from(text.replace('deception', 'tromperie é'), 'latin1'));
    case 'escaped':
      // Every non-ASCII character and every quote-free letter escaped: the same JSON, other bytes.
      return bytes(text.replace(/[a-z]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`));
  }
}

// ---------------------------------------------------------------------------------------------

describe('openEnvelope under hostile input (fuzz)', () => {
  let fr: Party;
  let ng: Party;
  let rogue: Party;
  const now = new Date();
  const seen = new Map<string, number>();

  const policy = (overrides: Partial<OpeningPolicy> = {}): OpeningPolicy => ({
    servedAuthorities: [NG],
    decryptionKeys: [ng.privateKey],
    senderKeys: (id) => {
      const party = ({ [FR]: fr, [NG]: ng } as Record<string, Party | undefined>)[id];
      return party && { id, publicKeys: [party.publicKey], signatureRefusal: () => undefined };
    },
    maxEnvelopeBytes: 1 << 20,
    maxDecompressedBytes: 1 << 20,
    replayWindowMs: 3_600_000,
    clockSkewMs: 60_000,
    now,
    ...overrides,
  });

  async function seal(plaintext: Uint8Array, sealing: Sealing): Promise<string> {
    const message = await openpgp.createMessage({ binary: plaintext });
    const signingKeys =
      sealing === 'unsigned'
        ? undefined
        : sealing === 'rogue-signer'
          ? rogue.privateKey
          : fr.privateKey;
    if (sealing === 'password') {
      return openpgp.encrypt({ message, passwords: ['pw'], signingKeys, format: 'armored' });
    }
    return openpgp.encrypt({
      message,
      signingKeys,
      encryptionKeys: sealing === 'other-recipient' ? rogue.publicKey : ng.publicKey,
      // On a loaded machine the properties run for minutes: a signature made that late would be
      // ahead of the policy's `now` by more than the tolerated skew (60 s), so it is dated 30 s
      // after `now` at the latest (and after the keys, made just after `now`).
      date: new Date(Math.min(Date.now(), now.getTime() + 30_000)),
      format: 'armored',
      config:
        sealing === 'compressed'
          ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib }
          : undefined,
    });
  }

  /** Opens, bounded in time; a refusal must be a GatewayError with a documented parser code. */
  async function attempt(
    raw: Uint8Array,
    routing: Partial<EnvelopeRouting>,
    opening: OpeningPolicy = policy(),
  ): Promise<{ opened: OpenedEnvelope } | { code: string }> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`openEnvelope did not settle in ${SETTLE_MS} ms`)),
        SETTLE_MS,
      );
    });
    try {
      const opened = await Promise.race([openEnvelope(raw, routing, opening), hang]);
      seen.set('opened', (seen.get('opened') ?? 0) + 1);
      expectValid(opened, routing, opening);
      return { opened };
    } catch (error) {
      if (!(error instanceof GatewayError)) {
        throw new Error(
          `openEnvelope threw something other than a GatewayError: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
      if (!PARSER_CODES.has(error.code)) {
        throw new Error(`undocumented code ${error.code}`, { cause: error });
      }
      seen.set(error.code, (seen.get(error.code) ?? 0) + 1);
      return { code: error.code };
    } finally {
      clearTimeout(timer);
    }
  }

  /** What "opened" promises: a payload that passes the format, matches routing and is fresh. */
  function expectValid(
    opened: OpenedEnvelope,
    routing: Partial<EnvelopeRouting>,
    opening: OpeningPolicy,
  ) {
    const { payload } = opened;
    expect(() => parseEnvelopePayload(structuredClone(payload))).not.toThrow();
    expect(() => checkPayloadLimits(payload)).not.toThrow();
    expect(routingOf(payload)).toEqual(routing);
    const age = opening.now.getTime() - Date.parse(payload.createdAt);
    expect(age).toBeLessThanOrEqual(opening.replayWindowMs);
    expect(-age).toBeLessThanOrEqual(opening.clockSkewMs);
  }

  const corpus: Array<{ payload: EnvelopePayload; armored: Uint8Array }> = [];

  beforeAll(async () => {
    [fr, ng, rogue] = await Promise.all([party(FR), party(NG), party('XX-ROGUE')]);
    for (const sealing of ['valid', 'compressed', 'valid'] as const) {
      const payload = validPayload(now);
      corpus.push({ payload, armored: bytes(await seal(bytes(JSON.stringify(payload)), sealing)) });
    }
    // The corpus itself opens.
    for (const { payload, armored } of corpus) {
      await expect(openEnvelope(armored, routingOf(payload), policy())).resolves.toMatchObject({
        payload,
      });
    }
  });

  afterAll(() => {
    // What the generated inputs reached: one line, for the run log.
    console.info(`open.fuzz outcomes: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
  });

  const options = (numRuns: number): fc.Parameters<unknown> => ({
    numRuns,
    interruptAfterTimeLimit: PROPERTY_BUDGET_MS,
    markInterruptAsFailure: false,
  });

  it('refuses random bytes and random armored packets', async () => {
    const armoredRandom = fc
      .tuple(
        fc.constantFrom(0xc1, 0xc2, 0xc3, 0xc4, 0xc8, 0xcb, 0xd2, 0xd4, 0x84, 0xa3, 0x00, 0xff),
        fc.uint8Array({ maxLength: 2_048 }),
      )
      .map(([tag, rest]) => rearmor(Uint8Array.from([tag, ...rest])));
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 4_096 }),
      fc.string({ unit: 'binary', maxLength: 2_048 }).map(bytes),
      fc
        .string({ maxLength: 1_024 })
        .map((s) => bytes(`-----BEGIN PGP MESSAGE-----\n\n${s}\n-----END PGP MESSAGE-----\n`)),
      armoredRandom,
    );
    await fc.assert(
      fc.asyncProperty(input, async (raw) => {
        const payload = corpus[0].payload;
        const outcome = await attempt(raw, routingOf(payload));
        expect(outcome).toHaveProperty('code');
      }),
      options(3_000),
    );
  }, 120_000);

  it('opens a mutated envelope only to the payload that was sealed, and refuses the rest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: corpus.length - 1 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        async (index, mutations) => {
          const { payload, armored } = corpus[index];
          let raw = armored;
          for (const mutation of mutations)
            raw = await mutate(raw, mutation, corpus[(index + 1) % corpus.length].armored);
          const outcome = await attempt(raw, routingOf(payload));
          if ('opened' in outcome) expect(outcome.opened.payload).toEqual(payload);
        },
      ),
      options(3_000),
    );
  }, 120_000);

  it('opens an envelope only under its own routing metadata', async () => {
    const authorityLike = fc.stringMatching(/^[A-Z]{2}(-[A-Z0-9]{2,12}){1,4}$/);
    const claim = (genuine: string) =>
      fc.option(
        fc.oneof(
          { arbitrary: fc.constant(genuine), weight: 4 },
          fc.constantFrom(FR, NG, 'XX-ROGUE', genuine.toLowerCase(), ` ${genuine}`, `${genuine}\n`),
          authorityLike,
          fc.string({ maxLength: 100 }),
          fc.string({ unit: 'binary', maxLength: 100 }),
          fc.uuid({ version: 7 }),
        ),
        { nil: undefined, freq: 10 },
      );
    const { payload, armored } = corpus[0];
    await fc.assert(
      fc.asyncProperty(
        claim(payload.sender),
        claim(payload.recipient),
        claim(payload.messageId),
        async (sender, recipient, messageId) => {
          const routing = { sender, recipient, messageId };
          const outcome = await attempt(armored, routing);
          const genuine =
            sender === payload.sender &&
            recipient === payload.recipient &&
            messageId === payload.messageId;
          expect('opened' in outcome).toBe(genuine);
        },
      ),
      options(600),
    );
  }, 120_000);

  it('refuses hostile JSON sealed with valid keys: depth, size, unknown fields, wrong types', async () => {
    const sealingArb = fc.oneof(
      { arbitrary: fc.constant<Sealing>('valid'), weight: 10 },
      { arbitrary: fc.constant<Sealing>('compressed'), weight: 2 },
      fc.constantFrom<Sealing>('rogue-signer', 'unsigned', 'other-recipient', 'password'),
    );
    const documentArb = fc.oneof(
      {
        arbitrary: fc
          .array(documentMutationArb(now), { minLength: 0, maxLength: 3 })
          .map((mutations) => ({ kind: 'payload' as const, mutations })),
        weight: 6,
      },
      fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'any-json' as const, value })),
      fc.uint8Array({ maxLength: 512 }).map((raw) => ({ kind: 'bytes' as const, raw })),
    );
    await fc.assert(
      fc.asyncProperty(
        documentArb,
        encodingArb,
        sealingArb,
        async (generated, encoding, sealing) => {
          const payload = validPayload(now);
          let plaintext: Uint8Array;
          if (generated.kind === 'payload') {
            const document = structuredClone(payload) as unknown as Record<string, unknown>;
            for (const mutation of generated.mutations) applyDocumentMutation(document, mutation);
            plaintext = encodeDocument(document, encoding);
          } else if (generated.kind === 'any-json') {
            plaintext = encodeDocument(generated.value, encoding);
          } else {
            plaintext = generated.raw;
          }
          const armored = bytes(await seal(plaintext, sealing));
          const outcome = await attempt(armored, routingOf(payload));
          if ('opened' in outcome) {
            expect(sealing === 'valid' || sealing === 'compressed').toBe(true);
          }
        },
      ),
      options(800),
    );
  }, 120_000);

  it('refuses nesting, strings and counts beyond the limits with their own codes', async () => {
    const cases: Array<[string, (document: Record<string, unknown>) => void, string]> = [
      [
        'deep body',
        (d) => (d.body = nested(PAYLOAD_LIMITS.maxDepth, 'object')),
        ErrorCode.PAYLOAD_TOO_DEEP,
      ],
      ['very deep body', (d) => (d.body = nested(200_000, 'array')), ErrorCode.PAYLOAD_TOO_DEEP],
      [
        'nesting at the limit',
        (d) => (d.body = nested(PAYLOAD_LIMITS.maxDepth - 2, 'object')),
        'opened',
      ],
      [
        'long string',
        (d) => (d.caseReference = 'x'.repeat(PAYLOAD_LIMITS.maxStringLength + 1)),
        ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
      ],
      [
        'long member name',
        (d) => (d.body = { ['k'.repeat(PAYLOAD_LIMITS.maxStringLength + 1)]: 1 }),
        ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
      ],
      [
        'many members',
        (d) =>
          (d.body = Object.fromEntries(
            Array.from({ length: PAYLOAD_LIMITS.maxEntries }, (_, i) => [`k${i}`, i]),
          )),
        ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
      ],
      ['NUL in a string', (d) => (d.caseReference = 'a\u0000b'), ErrorCode.PAYLOAD_INVALID],
      ['unpaired surrogate', (d) => (d.body = { text: 'a\ud800b' }), ErrorCode.PAYLOAD_INVALID],
      ['constructor member', (d) => (d.body = { constructor: 1.5 }), ErrorCode.PAYLOAD_INVALID],
      [
        '__proto__ member',
        (d) => (d.handling = JSON.parse('{"__proto__": {"confidential": false}}') as unknown),
        ErrorCode.PAYLOAD_INVALID,
      ],
      ['unknown field', (d) => (d.extra = 1), ErrorCode.PAYLOAD_INVALID],
      ['week date', (d) => (d.createdAt = '2026-W05'), ErrorCode.PAYLOAD_INVALID],
      ['bare year', (d) => (d.createdAt = String(now.getUTCFullYear())), ErrorCode.PAYLOAD_INVALID],
      [
        'date without time',
        (d) => (d.createdAt = now.toISOString().slice(0, 10)),
        ErrorCode.PAYLOAD_INVALID,
      ],
      [
        'offset without minutes',
        (d) => (d.createdAt = now.toISOString().replace('Z', '+00')),
        ErrorCode.PAYLOAD_INVALID,
      ],
      ['offset', (d) => (d.createdAt = now.toISOString().replace('Z', '+00:00')), 'opened'],
    ];
    for (const [name, change, expected] of cases) {
      const payload = validPayload(now);
      const document = structuredClone(payload) as unknown as Record<string, unknown>;
      change(document);
      const armored = bytes(await seal(encodeDocument(document, 'json'), 'valid'));
      const outcome = await attempt(armored, routingOf(payload));
      expect({ name, outcome: 'code' in outcome ? outcome.code : 'opened' }).toEqual({
        name,
        outcome: expected,
      });
    }
  }, 120_000);

  it('bounds decompression: a compression bomb is refused as too large, nested compression as undecryptable', async () => {
    const bomb = async (levels: number, algorithm: openpgp.enums.compression) => {
      const payload = validPayload(now);
      const padded = JSON.stringify({ ...payload, caseReference: null }).replace(
        '"caseReference":null',
        `"caseReference":null${' '.repeat(8 << 20)}`,
      );
      let message = await openpgp.createMessage({ binary: bytes(padded) });
      message = await message.sign([fr.privateKey]);
      // Message#compress exists in openpgp.js but not in its type declarations.
      type Compressible = { compress(algorithm: openpgp.enums.compression): typeof message };
      for (let i = 0; i < levels; i++)
        message = (message as unknown as Compressible).compress(algorithm);
      const armored = await openpgp.encrypt({
        message,
        encryptionKeys: ng.publicKey,
        format: 'armored',
      });
      expect(armored.length).toBeLessThan(64 << 10);
      return attempt(bytes(armored), routingOf(payload));
    };
    await expect(bomb(1, openpgp.enums.compression.zlib)).resolves.toEqual({
      code: ErrorCode.ENVELOPE_TOO_LARGE,
    });
    await expect(bomb(1, openpgp.enums.compression.zip)).resolves.toEqual({
      code: ErrorCode.ENVELOPE_TOO_LARGE,
    });
    await expect(bomb(2, openpgp.enums.compression.zlib)).resolves.toEqual({
      code: ErrorCode.ENVELOPE_DECRYPTION_FAILED,
    });
    // Within the bound, the same padding opens: whitespace between JSON tokens is valid.
    const payload = validPayload(now);
    const padded = JSON.stringify(payload).replace(
      '"attachments"',
      `${' '.repeat(100_000)}"attachments"`,
    );
    const armored = await seal(bytes(padded), 'compressed');
    await expect(attempt(bytes(armored), routingOf(payload))).resolves.toHaveProperty('opened');
  }, 120_000);
});
