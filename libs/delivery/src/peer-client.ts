import { Injectable } from '@nestjs/common';
import { AuthorityDirectory } from '#libs/directory';
import {
  CHUNK_MEDIA_TYPE,
  chunkPath,
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  type ChunkProgress,
  readBoundedText,
  ROUTING_HEADERS,
  type EnvelopeRouting,
} from '#libs/envelope';
import { PeerTransport } from '#libs/node-config';
import { classifyPeerAnswer, type FailureClass } from './peer-refusals.js';

/**
 * The most of a peer's answer this node reads: a signed receipt is about a kilobyte, an error a
 * few hundred bytes. Anything longer is cut off and treated as no answer (retried).
 */
export const MAX_PEER_ANSWER_BYTES = 64 * 1024;

export type PeerAnswer =
  | { ok: true; receipt: string }
  /** The envelope (or a chunk) is in; the peer names the chunk it expects next, or gives the receipt. */
  | { ok: true; progress: ChunkProgress }
  | {
      ok: false;
      reason: string;
      failure: FailureClass;
      /** The peer's HTTP status, when it answered. */
      status?: number;
      /** The peer's error code, when it answered in the gateway's error format. */
      code?: string;
    };

/** How one request to a peer goes: its correlation id and time limit. */
export interface PeerRequestOptions {
  correlationId: string | null;
  timeoutMs: number;
  /** Told once the request holds its body no more (PeerTransport.post): a chunk's buffer is free. */
  bodyReleased?: () => void;
}

/**
 * HTTP client of the peer inbound endpoint. Never throws: every failure is an answer,
 * classified as transient (retried) or permanent.
 * Over HTTPS it presents the node's certificate and checks the recipient's against its directory
 * pins (PeerTransport).
 */
@Injectable()
export class PeerClient {
  constructor(
    private readonly transport: PeerTransport,
    private readonly directory: AuthorityDirectory,
  ) {}

  deliver(
    endpoint: string,
    routing: EnvelopeRouting,
    armored: string,
    options: PeerRequestOptions,
  ): Promise<PeerAnswer> {
    return this.send(
      new URL(INBOUND_PATH, endpoint),
      { method: 'POST', contentType: ENVELOPE_MEDIA_TYPE, body: armored },
      routing,
      options,
    );
  }

  /** PUTs one sealed chunk of a file the envelope announced. */
  putChunk(
    endpoint: string,
    routing: EnvelopeRouting,
    at: { attachment: number; chunk: number },
    sealed: Uint8Array,
    options: PeerRequestOptions,
  ): Promise<PeerAnswer> {
    return this.send(
      new URL(chunkPath(routing.messageId, at.attachment, at.chunk), endpoint),
      { method: 'PUT', contentType: CHUNK_MEDIA_TYPE, body: sealed },
      routing,
      options,
    );
  }

  private async send(
    url: URL,
    request: { method: 'POST' | 'PUT'; contentType: string; body: string | Uint8Array },
    routing: EnvelopeRouting,
    options: PeerRequestOptions,
  ): Promise<PeerAnswer> {
    let response: Response;
    // The timeout covers the answer's body too: a peer that trickles its answer is cut off.
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const pins = this.directory.find(routing.recipient)?.tlsPins ?? [];
      response = await this.transport.post(
        url,
        {
          method: request.method,
          headers: {
            'content-type': request.contentType,
            [ROUTING_HEADERS.sender]: routing.sender,
            [ROUTING_HEADERS.recipient]: routing.recipient,
            [ROUTING_HEADERS.messageId]: routing.messageId,
            ...(options.correlationId
              ? { [ROUTING_HEADERS.correlationId]: options.correlationId }
              : {}),
          },
          body: request.body,
          signal,
          bodyReleased: options.bodyReleased,
        },
        pins,
      );
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return {
        ok: false,
        failure: 'transient',
        reason: `peer unreachable: ${cause ?? (error as Error).name}`,
      };
    }
    return readPeerAnswer(response, MAX_PEER_ANSWER_BYTES);
  }
}

/** Reads a peer's answer, at most `maxBytes` of it, and classifies any failure. */
export async function readPeerAnswer(response: Response, maxBytes: number): Promise<PeerAnswer> {
  const { status } = response;
  let text: string | undefined;
  try {
    text = await readBoundedText(response, maxBytes);
  } catch (error) {
    return {
      ok: false,
      failure: 'transient',
      status,
      reason: `peer answered ${status} but its answer could not be read: ${(error as Error).name}`,
    };
  }
  if (text === undefined) {
    return {
      ok: false,
      failure: 'transient',
      status,
      reason: `peer answered ${status} with more than ${maxBytes} bytes`,
    };
  }
  const progress = progressIn(status, response.headers.get('content-type'), text);
  if (progress) return { ok: true, progress };
  if (status === 200) return { ok: true, receipt: text };
  const code = errorCodeIn(text);
  return {
    ok: false,
    failure: classifyPeerAnswer(status, code),
    status,
    ...(code ? { code } : {}),
    reason: `peer answered ${status}${code ? ` ${code}` : ''}`,
  };
}

/** A 202 to an envelope, or a 200 to a chunk: where the peer's copy of the files stands. */
function progressIn(
  status: number,
  contentType: string | null,
  text: string,
): ChunkProgress | undefined {
  if ((status !== 200 && status !== 202) || !contentType?.includes('json')) return undefined;
  try {
    const answer = JSON.parse(text) as Partial<ChunkProgress>;
    const next = answer.next;
    if (typeof answer.messageId !== 'string') return undefined;
    if (
      next !== null &&
      !(
        typeof next === 'object' &&
        Number.isSafeInteger(next?.attachment) &&
        Number.isSafeInteger(next?.chunk)
      )
    ) {
      return undefined;
    }
    return {
      messageId: answer.messageId,
      next: next ?? null,
      ...(typeof answer.receipt === 'string' && { receipt: answer.receipt }),
    };
  } catch {
    return undefined;
  }
}

/** The code of an answer in the gateway's error format, if it is one. */
function errorCodeIn(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    // Only a code-shaped value is kept: it is logged and audited.
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  } catch {
    // Not our error format (a proxy, a different service): the status says enough.
    return undefined;
  }
}
