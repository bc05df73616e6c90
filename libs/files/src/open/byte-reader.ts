/**
 * Pulls bytes from a stream of pieces: small fields exactly, large bodies as pieces, never more
 * than one piece held. `truncated` is called when the stream ends too early. What it returns may
 * be a view of the source's piece: with a source that reuses its buffer, valid until the next read.
 */
export class ByteReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private head: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly truncated: () => Error,
  ) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Whether the stream has no byte left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  /** Exactly `length` bytes (a header or a small packet). */
  async exactly(length: number): Promise<Buffer> {
    if (this.head.length >= length) return this.shift(length);
    const parts: Buffer[] = [];
    let missing = length;
    while (missing > 0) {
      if (!(await this.fill())) throw this.truncated();
      // Copied before the next piece is pulled: a source may reuse its buffer for it.
      const part = Buffer.from(this.shift(Math.min(missing, this.head.length)));
      parts.push(part);
      missing -= part.length;
    }
    return Buffer.concat(parts, length);
  }

  async byte(): Promise<number> {
    return (await this.exactly(1))[0];
  }

  /** The next `length` bytes, as the pieces they arrive in. */
  async *pieces(length: number): AsyncGenerator<Buffer> {
    let missing = length;
    while (missing > 0) {
      if (!(await this.fill())) throw this.truncated();
      const piece = this.shift(Math.min(missing, this.head.length));
      missing -= piece.length;
      yield piece;
    }
  }

  /** Every byte left, as the pieces they arrive in. */
  async *rest(): AsyncGenerator<Buffer> {
    while (await this.fill()) yield this.shift(this.head.length);
  }

  private shift(length: number): Buffer {
    const out = this.head.subarray(0, length);
    this.head = this.head.subarray(length);
    return out;
  }

  private async fill(): Promise<boolean> {
    while (this.head.length === 0) {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const value = next.value;
      this.head = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    return true;
  }
}

/** A packet's tag and how its body is measured. */
export interface PacketHeader {
  tag: number;
  /** A definite length, or the first part's length of a partial-length body. */
  length: number;
  partial: boolean;
}

/**
 * Reads a packet header, new or old format (RFC 4880 4.2). Old-format indeterminate lengths are
 * refused: a sealed chunk always says how long its packets are.
 */
export async function readPacketHeader(
  reader: ByteReader,
  malformed: (why: string) => Error,
): Promise<PacketHeader> {
  const first = await reader.byte();
  if ((first & 0x80) === 0) throw malformed('not an OpenPGP packet header');
  if (first & 0x40) {
    const tag = first & 0x3f;
    return { tag, ...(await readNewLength(reader, true, malformed)) };
  }
  const tag = (first >> 2) & 0x0f;
  const lengthType = first & 0x03;
  if (lengthType === 3) throw malformed('an indeterminate packet length');
  const octets = [1, 2, 4][lengthType];
  const length = (await reader.exactly(octets)).readUIntBE(0, octets);
  return { tag, length, partial: false };
}

/** A new-format body length; partial lengths only where the packet allows them. */
export async function readNewLength(
  reader: ByteReader,
  partialAllowed: boolean,
  malformed: (why: string) => Error,
): Promise<{ length: number; partial: boolean }> {
  const first = await reader.byte();
  if (first < 192) return { length: first, partial: false };
  if (first < 224)
    return { length: ((first - 192) << 8) + (await reader.byte()) + 192, partial: false };
  if (first === 255) return { length: (await reader.exactly(4)).readUInt32BE(0), partial: false };
  if (!partialAllowed) throw malformed('a partial length where none is allowed');
  return { length: 1 << (first & 0x1f), partial: true };
}

/**
 * A packet's whole body as pieces, following partial lengths (RFC 4880 4.2.2.4) up to the last,
 * definite one; at most `limit` bytes in all.
 */
export async function* packetBody(
  reader: ByteReader,
  header: PacketHeader,
  limit: number,
  malformed: (why: string) => Error,
): AsyncGenerator<Buffer> {
  let { length, partial } = header;
  let total = 0;
  for (;;) {
    total += length;
    if (total > limit) throw malformed(`a packet body over ${limit} bytes`);
    yield* reader.pieces(length);
    if (!partial) return;
    ({ length, partial } = await readNewLength(reader, true, malformed));
  }
}
