import { v7 as uuidv7 } from 'uuid';
import type { Authority } from '#libs/directory';
import {
  ENVELOPE_MEDIA_TYPE,
  openControl,
  readBoundedText,
  ROUTING_HEADERS,
  sealControl,
  type ControlDocument,
} from '#libs/envelope';
import { Clock, NodeIdentity } from './node-identity.js';
import { PeerTransport } from './peer-tls.js';

/** A question's answer: a control document naming the question it answers. */
export interface PeerAnswer extends ControlDocument {
  readonly queryId: string;
}

export interface PeerQuestion {
  /** The peer endpoint's path. */
  readonly path: string;
  /** The question document's type and fields (sender, recipient, time and id are added). */
  readonly type: string;
  readonly fields?: Record<string, unknown>;
  /** The answer expected: its type, and bounds on its size and age. */
  readonly answerType: string;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

/**
 * A question to another node over the peer protocol: a control document sealed to the peer's
 * current key, posted under mutual TLS with the peer's certificate pins, and its answer opened,
 * checked as sealed to this node by that peer and as answering this very question. The national
 * register and the audit witnesses ask this way. Any failure throws an Error saying why in a few
 * words (unreachable, the status and error code, an answer that does not open), for the caller's
 * own error.
 */
export class PeerQuestions {
  constructor(
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    private readonly transport: PeerTransport,
    /** How far a peer's clock may be ahead (`inbound.clockSkewMs`). */
    private readonly clockSkewMs: number,
  ) {}

  async ask<A extends PeerAnswer>(peer: Authority, question: PeerQuestion): Promise<A> {
    const now = this.clock.now();
    const peerKey = peer.currentKey(now);
    if (!peerKey) throw new Error('it has no valid key in the directory');
    const queryId = uuidv7();
    const sealed = await sealControl(
      {
        ...question.fields,
        type: question.type,
        queryId,
        sender: this.identity.authorityId,
        recipient: peer.id,
        createdAt: now.toISOString(),
      } as ControlDocument,
      { signingKey: this.identity.signingKey(now).key, recipientKey: peerKey.publicKey },
    );
    let response: Response;
    try {
      response = await this.transport.post(
        new URL(question.path, peer.endpoint),
        {
          headers: {
            'content-type': ENVELOPE_MEDIA_TYPE,
            [ROUTING_HEADERS.sender]: this.identity.authorityId,
            [ROUTING_HEADERS.recipient]: peer.id,
          },
          body: sealed,
          signal: AbortSignal.timeout(question.timeoutMs),
        },
        peer.tlsPins,
      );
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(`unreachable (${cause ?? (error as Error).name})`, { cause: error });
    }
    const text = await readBoundedText(response, question.maxBytes).catch(() => undefined);
    if (response.status !== 200 || text === undefined) {
      throw new Error(`it answered ${response.status}${errorCodeIn(text)}`);
    }
    let answer: A;
    try {
      answer = await openControl<A>(text, {
        type: question.answerType,
        recipient: this.identity.authorityId,
        decryptionKeys: this.identity.keys.decryptionKeys,
        sender: peer,
        maxBytes: question.maxBytes,
        maxAgeMs: question.maxAgeMs,
        clockSkewMs: this.clockSkewMs,
        now: this.clock.now(),
      });
    } catch (error) {
      throw new Error(`its answer does not open: ${(error as Error).message}`, { cause: error });
    }
    if (answer.queryId !== queryId) throw new Error('its answer does not answer this question');
    return answer;
  }
}

function errorCodeIn(text: string | undefined): string {
  try {
    const code = (JSON.parse(text ?? '') as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? ` ${code.slice(0, 64)}` : '';
  } catch {
    return '';
  }
}
