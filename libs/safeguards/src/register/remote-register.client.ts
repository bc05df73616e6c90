import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { Authority } from '#libs/directory';
import {
  ENVELOPE_MEDIA_TYPE,
  openControl,
  readBoundedText,
  ROUTING_HEADERS,
  sealControl,
} from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  Clock,
  NODE_CONFIG,
  NodeIdentity,
  type NodeConfig,
  PeerTransport,
} from '#libs/node-config';
import {
  REGISTER_CHECK_PATH,
  type RegisterAnswer,
  type RegisterAnswerDocument,
  type RegisterCheckDocument,
  type RegisterQuery,
} from './register-check.js';

/** Answers and questions are small: a few hundred hashes at most. */
export const MAX_REGISTER_DOCUMENT_BYTES = 1024 * 1024;
/** A register check is answered at once: anything older is not an answer to this question. */
export const REGISTER_DOCUMENT_MAX_AGE_MS = 5 * 60_000;

/**
 * Asks the register of another node of this State (its asylum authority's), over the peer
 * protocol: the question sealed to that authority's key, the answer sealed to this node's. Any
 * failure (unreachable, timeout, an error answer, an answer that does not open or does not answer
 * this question) is REGISTER_UNAVAILABLE: the caller holds the message rather than send it unchecked.
 */
@Injectable()
export class RemoteRegisterClient {
  constructor(
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly transport: PeerTransport,
  ) {}

  async check(register: Authority, query: RegisterQuery): Promise<RegisterAnswer> {
    const now = this.clock.now();
    const recipientKey = register.currentKey(now);
    if (!recipientKey) throw unavailable(register, 'it has no valid key in the directory');
    const question: RegisterCheckDocument = {
      type: 'register-check',
      queryId: uuidv7(),
      sender: this.identity.authorityId,
      recipient: register.id,
      createdAt: now.toISOString(),
      ...query,
    };
    const armored = await sealControl(question, {
      signingKey: this.identity.signingKey(now).key,
      recipientKey: recipientKey.publicKey,
    });
    let response: Response;
    try {
      // Mutual TLS and the register node's certificate pins, as for deliveries (S9).
      response = await this.transport.post(
        new URL(REGISTER_CHECK_PATH, register.endpoint),
        {
          headers: {
            'content-type': ENVELOPE_MEDIA_TYPE,
            [ROUTING_HEADERS.sender]: this.identity.authorityId,
            [ROUTING_HEADERS.recipient]: register.id,
          },
          body: armored,
          signal: AbortSignal.timeout(this.config.safeguards.registerCheckTimeoutMs),
        },
        register.tlsPins,
      );
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw unavailable(register, `unreachable (${cause ?? (error as Error).name})`);
    }
    const text = await readBoundedText(response, MAX_REGISTER_DOCUMENT_BYTES).catch(
      () => undefined,
    );
    if (response.status !== 200 || text === undefined) {
      throw unavailable(register, `it answered ${response.status}${errorCodeIn(text)}`);
    }
    let answer: RegisterAnswerDocument;
    try {
      answer = await openControl<RegisterAnswerDocument>(text, {
        type: 'register-answer',
        recipient: this.identity.authorityId,
        decryptionKeys: this.identity.keys.decryptionKeys,
        sender: register,
        maxBytes: MAX_REGISTER_DOCUMENT_BYTES,
        maxAgeMs: REGISTER_DOCUMENT_MAX_AGE_MS,
        clockSkewMs: this.config.inbound.clockSkewMs,
        now: this.clock.now(),
      });
    } catch (error) {
      throw unavailable(register, `its answer does not open: ${(error as Error).message}`);
    }
    if (
      answer.queryId !== question.queryId ||
      !Array.isArray(answer.hits) ||
      !Array.isArray(answer.cleared)
    ) {
      throw unavailable(register, 'its answer does not answer this question');
    }
    return { hits: answer.hits, cleared: answer.cleared };
  }
}

function errorCodeIn(text: string | undefined): string {
  try {
    const code = (JSON.parse(text ?? '') as { error?: { code?: string } }).error?.code;
    return code ? ` ${code}` : '';
  } catch {
    return '';
  }
}

function unavailable(register: Authority, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.REGISTER_UNAVAILABLE,
    `the register of ${register.id} cannot be consulted: ${why}`,
    [{ register: register.id }],
  );
}
