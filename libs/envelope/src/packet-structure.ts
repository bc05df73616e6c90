import { ErrorCode, GatewayError } from '#libs/errors';

/*
 * The shape of an envelope, read before any private-key operation (security S1). An envelope is
 * an ASCII-armored OpenPGP message (RFC 4880 §6.2) holding, in this order:
 * - 1 to 8 public-key encrypted session key packets (PKESK v3, tag 1): our sealer writes two, one
 *   to the recipient's key and one to the sender's own; exactly one must name a key this node
 *   holds, and none may be a wildcard (key id 0), which would have the node try every key it holds;
 * - exactly one symmetrically encrypted integrity-protected data packet (SEIPD v1, tag 18) running
 *   to the end of the data. Everything else (compression, literal data, signatures) is inside it.
 * One envelope once held 60,000 PKESK packets naming this node's key: openpgp.js tried a private
 * key operation on each (13.7 CPU-seconds, 1.9 GiB). Here the armor is decoded lazily, so such an
 * envelope is refused after the first few kilobytes, and only an envelope of the right shape is
 * decoded in full and handed to openpgp.js.
 */

export const ENVELOPE_STRUCTURE_LIMITS = {
  /** PKESK packets in one envelope. */
  maxSessionKeyPackets: 8,
  /** The body of one PKESK packet: about 94 bytes for X25519, 1,040 for RSA-8192. */
  maxSessionKeyPacketBytes: 2048,
  /** Armor header lines (Version, Comment...) and the length of each. */
  maxArmorHeaders: 16,
  maxArmorHeaderBytes: 4096,
} as const;

const PKESK = 1;
const SEIPD = 18;
/** Version (1), key id (8), algorithm (1): the fixed start of a PKESK v3 body. */
const PKESK_FIXED_BYTES = 10;
/** Enough decoded bytes for the largest allowed run of PKESK packets and the SEIPD header. */
const PREFIX_BYTES =
  ENVELOPE_STRUCTURE_LIMITS.maxSessionKeyPackets *
    (ENVELOPE_STRUCTURE_LIMITS.maxSessionKeyPacketBytes + 6) +
  16;

const BEGIN = new TextEncoder().encode('-----BEGIN PGP MESSAGE-----');
const END = new TextEncoder().encode('-----END PGP MESSAGE-----');
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const DASH = 0x2d;
/** openpgp.js's own rule for an armor header line (`Key: value`). */
const ARMOR_HEADER = /^([^\s:]|[^\s:][^:]*[^\s:]): .+$/;

const BASE64_VALUE = (() => {
  const table = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

const isBlank = (byte: number) => byte === SPACE || byte === TAB || byte === CR;

function malformed(reason: string): GatewayError {
  return new GatewayError(
    ErrorCode.ENVELOPE_MALFORMED,
    'the body is not an armored OpenPGP message',
    [{ field: 'body', reason }],
  );
}

function invalid(reason: string, message: string, detail: Record<string, unknown> = {}) {
  return new GatewayError(
    ErrorCode.ENVELOPE_STRUCTURE_INVALID,
    `the envelope's OpenPGP packets are refused before decryption: ${message}`,
    [{ field: 'body', reason, ...detail }],
  );
}

function startsWith(raw: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > raw.length) return false;
  for (let i = 0; i < prefix.length; i++) if (raw[at + i] !== prefix[i]) return false;
  return true;
}

/** The end of the line starting at `at` (the index of its LF, or the end of the input). */
function lineEnd(raw: Uint8Array, at: number): number {
  const end = raw.indexOf(LF, at);
  return end === -1 ? raw.length : end;
}

/** A line without its trailing blanks (CR, spaces, tabs). */
function trimmedLine(raw: Uint8Array, at: number, end: number): Uint8Array {
  let stop = end;
  while (stop > at && isBlank(raw[stop - 1])) stop--;
  return raw.subarray(at, stop);
}

/**
 * The base64 body of an armored message, decoded on demand: as much as the packet walk needs,
 * and the whole only for an envelope whose first packets are acceptable. Strict: only base64
 * characters and blanks, `=` padding at the very end, an optional `=XXXX` checksum line (ignored,
 * as RFC 9580 §6.1 asks), the END line, then nothing but blanks.
 */
class ArmoredBody {
  private pos: number;
  private out: Uint8Array;
  private length = 0;
  private quad = 0;
  private quadLength = 0;
  private pads = 0;
  /** Padding or the checksum line was read: no more data may follow. */
  private dataOver = false;
  private checksumRead = false;
  private atLineStart = true;
  private finished = false;
  private readonly capacity: number;

  constructor(
    private readonly raw: Uint8Array,
    private readonly start: number,
  ) {
    this.pos = start;
    this.capacity = Math.ceil(((raw.length - start) * 3) / 4) + 3;
    this.out = new Uint8Array(Math.min(this.capacity, PREFIX_BYTES + 64));
  }

  /** The END line was reached: the bytes decoded are the whole message. */
  get complete(): boolean {
    return this.finished;
  }

  /** Decodes until at least `wanted` bytes are available or the body ends. */
  decodeUntil(wanted: number): Uint8Array {
    const raw = this.raw;
    while (this.length < wanted && !this.finished) {
      if (this.pos >= raw.length) throw malformed('no END line');
      const byte = raw[this.pos];
      if (this.atLineStart) {
        this.atLineStart = false;
        if (byte === DASH) {
          this.readEnd();
          continue;
        }
        if (byte === EQUALS && this.quadLength === 0) {
          this.readChecksum();
          continue;
        }
      }
      this.pos++;
      if (byte === LF) {
        this.atLineStart = true;
        continue;
      }
      if (isBlank(byte)) continue;
      if (byte === EQUALS) {
        if (this.quadLength < 2 || this.dataOver) throw malformed('misplaced padding');
        this.pads++;
        this.push(0);
        continue;
      }
      const value = BASE64_VALUE[byte];
      if (value < 0) throw malformed('a character outside base64');
      if (this.dataOver || this.pads > 0) throw malformed('data after the padding');
      this.push(value);
    }
    return this.out.subarray(0, this.length);
  }

  /**
   * The whole body, decoded by Node's base64 decoder rather than byte by byte (a JavaScript loop
   * over 10 MB takes 100 ms and more), under the same rules: only base64 characters and blanks,
   * padding at the end of the data, an optional checksum line, the END line at the start of a
   * line, then blanks only. Each check is a native search or one linear pattern.
   */
  decodeAll(): Uint8Array {
    if (this.finished) return this.out.subarray(0, this.length);
    const raw = Buffer.from(this.raw.buffer, this.raw.byteOffset, this.raw.byteLength);
    const endAt = raw.indexOf(END, this.start);
    if (endAt === -1) throw malformed('no END line');
    if (raw[endAt - 1] !== LF) throw malformed('a line that is neither base64 nor END');
    if (!/^[ \t\r\n]*$/.test(raw.toString('latin1', endAt + END.length))) {
      throw malformed('text after the END line');
    }
    const body = raw.toString('latin1', this.start, endAt);
    if (/[^A-Za-z0-9+/= \t\r\n]/.test(body)) throw malformed('a character outside base64');
    return Buffer.from(body.slice(0, dataEnd(body)), 'base64');
  }

  private push(value: number): void {
    this.quad = (this.quad << 6) | value;
    if (++this.quadLength < 4) return;
    const bytes = 3 - this.pads;
    if (this.length + 3 > this.out.length) this.grow();
    this.out[this.length] = (this.quad >>> 16) & 0xff;
    if (bytes > 1) this.out[this.length + 1] = (this.quad >>> 8) & 0xff;
    if (bytes > 2) this.out[this.length + 2] = this.quad & 0xff;
    this.length += bytes;
    if (this.pads > 0) this.dataOver = true;
    this.quad = 0;
    this.quadLength = 0;
    this.pads = 0;
  }

  private grow(): void {
    const next = new Uint8Array(Math.min(this.capacity, this.out.length * 2));
    next.set(this.out.subarray(0, this.length));
    this.out = next;
  }

  /** `=XXXX`: the CRC-24 of RFC 4880, not checked (RFC 9580 §6.1); only the END line follows. */
  private readChecksum(): void {
    if (this.checksumRead) throw malformed('two checksum lines');
    const end = lineEnd(this.raw, this.pos);
    const line = trimmedLine(this.raw, this.pos, end);
    if (line.length !== 5 || line.subarray(1).some((byte) => BASE64_VALUE[byte] < 0)) {
      throw malformed('a bad checksum line');
    }
    this.checksumRead = true;
    this.dataOver = true;
    this.pos = end + 1;
    this.atLineStart = true;
  }

  private readEnd(): void {
    const raw = this.raw;
    if (!startsWith(raw, this.pos, END)) throw malformed('a line that is neither base64 nor END');
    if (this.quadLength !== 0) throw malformed('base64 cut short');
    for (let i = this.pos + END.length; i < raw.length; i++) {
      if (raw[i] !== LF && !isBlank(raw[i])) throw malformed('text after the END line');
    }
    this.pos = raw.length;
    this.finished = true;
  }
}

/**
 * Where the base64 data of a body (the text between the blank line and END) ends: before an
 * optional `=XXXX` checksum line. Everything from the first `=` on must be padding (at most two,
 * ending a data line), blanks, and the checksum line; anything else is refused.
 */
function dataEnd(body: string): number {
  const first = body.indexOf('=');
  if (first === -1) return body.length;
  const blank = (i: number) => i < body.length && ' \t\r\n'.includes(body[i]);
  let at = first;
  let end: number;
  if (first > 0 && body[first - 1] !== '\n') {
    // Padding ending the last data line: one or two `=`.
    while (body[at] === '=' && at - first < 2) at++;
    end = at;
    while (blank(at)) at++;
  } else {
    end = first;
  }
  if (body[at] === '=') {
    if (body[at - 1] !== '\n' || !/^=[A-Za-z0-9+/]{4}$/.test(body.slice(at, at + 5))) {
      throw malformed('a bad checksum line');
    }
    at += 5;
    while (blank(at)) at++;
  }
  if (at !== body.length) throw malformed('data after the padding');
  return end;
}

/** Skips the BEGIN line and the armor headers: the body starts after the blank line. */
function openArmor(raw: Uint8Array): ArmoredBody {
  let at = 0;
  while (at < raw.length && (raw[at] === LF || isBlank(raw[at]))) at++;
  if (!startsWith(raw, at, BEGIN)) throw malformed('no BEGIN PGP MESSAGE line');
  let end = lineEnd(raw, at);
  if (trimmedLine(raw, at, end).length !== BEGIN.length) throw malformed('a bad BEGIN line');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let headers = 0; ; headers++) {
    at = end + 1;
    if (at > raw.length) throw malformed('no body');
    end = lineEnd(raw, at);
    const line = trimmedLine(raw, at, end);
    if (line.length === 0) return new ArmoredBody(raw, end + 1);
    if (
      headers >= ENVELOPE_STRUCTURE_LIMITS.maxArmorHeaders ||
      line.length > ENVELOPE_STRUCTURE_LIMITS.maxArmorHeaderBytes
    ) {
      throw malformed('too many or too long armor headers');
    }
    let text: string;
    try {
      text = decoder.decode(line);
    } catch {
      throw malformed('an armor header that is not UTF-8');
    }
    if (!ARMOR_HEADER.test(text)) throw malformed('a bad armor header');
  }
}

interface PacketHeader {
  tag: number;
  /** Where the body (or its first partial chunk) starts. */
  bodyStart: number;
  bodyLength: number;
  partial: boolean;
}

const NEED_MORE = Symbol('need more bytes');

/**
 * A new-format body length (RFC 4880 §4.2.2) at `at`: one, two or five octets, or a partial
 * length (a power of two; another length follows the chunk).
 */
function bodyLengthAt(
  data: Uint8Array,
  at: number,
): { length: number; octets: number; partial: boolean } | typeof NEED_MORE {
  if (at >= data.length) return NEED_MORE;
  const first = data[at];
  if (first < 192) return { length: first, octets: 1, partial: false };
  if (first < 224) {
    if (at + 2 > data.length) return NEED_MORE;
    return { length: ((first - 192) << 8) + data[at + 1] + 192, octets: 2, partial: false };
  }
  if (first < 255) return { length: 1 << (first & 0x1f), octets: 1, partial: true };
  if (at + 5 > data.length) return NEED_MORE;
  const length =
    data[at + 1] * 0x1000000 + ((data[at + 2] << 16) | (data[at + 3] << 8) | data[at + 4]);
  return { length, octets: 5, partial: false };
}

/** A packet header (RFC 4880 §4.2), new or old format. */
function headerAt(data: Uint8Array, at: number): PacketHeader | typeof NEED_MORE {
  if (at >= data.length) return NEED_MORE;
  const first = data[at];
  if ((first & 0x80) === 0) throw invalid('not-a-packet', 'a byte that starts no packet');
  if (first & 0x40) {
    const length = bodyLengthAt(data, at + 1);
    if (length === NEED_MORE) return NEED_MORE;
    return {
      tag: first & 0x3f,
      bodyStart: at + 1 + length.octets,
      bodyLength: length.length,
      partial: length.partial,
    };
  }
  // Old format: the tag in bits 5-2, the length type in bits 1-0; "indeterminate" is refused.
  const octets = [1, 2, 4][first & 0x03];
  if (octets === undefined)
    throw invalid('indeterminate-length', 'a packet of indeterminate length');
  if (at + 1 + octets > data.length) return NEED_MORE;
  let length = 0;
  for (let i = 1; i <= octets; i++) length = length * 256 + data[at + i];
  return {
    tag: (first >> 2) & 0x0f,
    bodyStart: at + 1 + octets,
    bodyLength: length,
    partial: false,
  };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Walks the packet headers. With `complete` false (only a prefix decoded), it returns NEED_MORE
 * once the prefix is acceptable but the end cannot be judged; with `complete` true it settles.
 */
function walkPackets(
  data: Uint8Array,
  complete: boolean,
  heldKeyIds: ReadonlySet<string>,
): 'ok' | typeof NEED_MORE {
  const limits = ENVELOPE_STRUCTURE_LIMITS;
  const truncated = () => invalid('truncated', 'a packet runs past the end of the data');
  const seen = new Set<string>();
  let held = 0;
  let at = 0;
  for (;;) {
    if (at >= data.length) {
      if (!complete) return NEED_MORE;
      throw invalid('no-encrypted-data', 'no encrypted data packet');
    }
    const header = headerAt(data, at);
    if (header === NEED_MORE) {
      if (complete) throw truncated();
      return NEED_MORE;
    }
    if (header.tag === PKESK) {
      if (seen.size >= limits.maxSessionKeyPackets) {
        throw invalid(
          'too-many-session-keys',
          `more than ${limits.maxSessionKeyPackets} public-key encrypted session keys`,
          { limit: limits.maxSessionKeyPackets },
        );
      }
      if (header.partial || header.bodyLength > limits.maxSessionKeyPacketBytes) {
        throw invalid('session-key-size', 'a session key packet of an unexpected size');
      }
      if (header.bodyLength < PKESK_FIXED_BYTES) throw truncated();
      if (header.bodyStart + PKESK_FIXED_BYTES > data.length) {
        if (complete) throw truncated();
        return NEED_MORE;
      }
      const version = data[header.bodyStart];
      if (version !== 3) {
        throw invalid('session-key-version', 'a session key packet other than version 3', {
          version,
        });
      }
      const keyId = hex(data.subarray(header.bodyStart + 1, header.bodyStart + 9));
      if (keyId === '0000000000000000') {
        throw invalid('wildcard-recipient', 'a session key for an unnamed (wildcard) recipient');
      }
      if (seen.has(keyId)) throw invalid('repeated-recipient', 'two session keys for one key');
      seen.add(keyId);
      if (heldKeyIds.has(keyId)) held++;
      at = header.bodyStart + header.bodyLength;
      continue;
    }
    if (header.tag !== SEIPD) {
      throw invalid('unexpected-packet', `a packet of tag ${header.tag} where none is expected`, {
        tag: header.tag,
      });
    }
    if (seen.size === 0) throw invalid('no-session-key', 'encrypted data before any session key');
    if (header.bodyStart >= data.length) {
      if (complete) throw truncated();
      return NEED_MORE;
    }
    if (data[header.bodyStart] !== 1) {
      throw invalid('encrypted-data-version', 'encrypted data other than SEIPD version 1', {
        version: data[header.bodyStart],
      });
    }
    if (held === 0) {
      throw new GatewayError(
        ErrorCode.ENVELOPE_DECRYPTION_FAILED,
        "the envelope is not encrypted to this node's key",
        [{ field: 'body', reason: 'no-session-key-for-this-node' }],
      );
    }
    if (!complete) return NEED_MORE;
    const end = endOfData(data, header);
    if (end > data.length) throw truncated();
    if (end < data.length) throw invalid('trailing-data', 'data after the encrypted data packet');
    return 'ok';
  }
}

/** Where the SEIPD packet ends, following its partial-length chunks (the first of 512 octets at least). */
function endOfData(data: Uint8Array, header: PacketHeader): number {
  let chunkStart = header.bodyStart;
  let chunk = header.bodyLength;
  let partial = header.partial;
  if (partial && chunk < 512) {
    throw invalid('partial-length', 'a first partial body length under 512 octets');
  }
  while (partial) {
    const next = bodyLengthAt(data, chunkStart + chunk);
    if (next === NEED_MORE) throw invalid('truncated', 'a packet runs past the end of the data');
    chunkStart += chunk + next.octets;
    chunk = next.length;
    partial = next.partial;
  }
  return chunkStart + chunk;
}

/**
 * Checks an armored envelope's packets against the expected structure and returns its binary
 * packets, or refuses: ENVELOPE_MALFORMED (armor), ENVELOPE_STRUCTURE_INVALID (packets), or
 * ENVELOPE_DECRYPTION_FAILED (no session key for a key id in `heldKeyIds`, lower-case hex). No
 * key is used; a refusal costs the first kilobytes of the envelope, never its whole length.
 */
export function inspectEnvelopeStructure(
  raw: Uint8Array,
  heldKeyIds: ReadonlySet<string>,
): Uint8Array {
  const body = openArmor(raw);
  const prefix = body.decodeUntil(PREFIX_BYTES);
  if (walkPackets(prefix, body.complete, heldKeyIds) === 'ok') return prefix;
  const whole = body.decodeAll();
  walkPackets(whole, true, heldKeyIds);
  return whole;
}
