/**
 * The peer protocol's HTTP binding: the armored envelope is the request body; routing metadata
 * travels beside it in headers, in the clear; the answer to a valid envelope is its signed receipt.
 */
export const ROUTING_HEADERS = {
  sender: 'x-envelope-sender',
  recipient: 'x-envelope-recipient',
  messageId: 'x-message-id',
  correlationId: 'x-correlation-id',
} as const;

export const INBOUND_PATH = '/inbound/v1/envelopes';
export const ENVELOPE_MEDIA_TYPE = 'application/pgp-encrypted';
export const RECEIPT_MEDIA_TYPE = 'text/plain';

/**
 * The chunks of a message's files (issue 12): `PUT {CHUNKS_PATH}/{messageId}/attachments/{a}/chunks/{n}`
 * with the routing headers, body the sealed chunk as sealed (`application/octet-stream`).
 */
export const CHUNKS_PATH = '/inbound/v1/messages';
export const CHUNK_MEDIA_TYPE = 'application/octet-stream';

/**
 * How many chunks of one file a sender may have on their way at once: the receiver takes the chunk
 * it expects next and those up to this many less one places past it, spools each while the ones
 * before it are opened, and opens each in its turn. A sender keeps at most this many in flight.
 */
export const CHUNKS_IN_FLIGHT_MAX = 4;

export function chunkPath(messageId: string, attachment: number, chunk: number): string {
  return `${CHUNKS_PATH}/${messageId}/attachments/${attachment}/chunks/${chunk}`;
}

/** Where a message's files stand on the receiving node: the chunk it expects next, if any. */
export interface ChunkProgress {
  messageId: string;
  /** `null` once every chunk of every file is in (the answer then carries the receipt). */
  next: { attachment: number; chunk: number } | null;
  /** The signed receipt, once the envelope and every chunk are in. */
  receipt?: string;
}

/**
 * A peer's answer read as text, at most `maxBytes` of it: an answer beyond the bound is cut off and
 * refused (undefined), so that no peer can make this node buffer without end.
 */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
