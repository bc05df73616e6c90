import { Inject, Injectable } from '@nestjs/common';
import type { Authority } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, PeerQuestions, type NodeConfig } from '#libs/node-config';
import {
  REGISTER_CHECK_PATH,
  type RegisterAnswer,
  type RegisterAnswerDocument,
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
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly questions: PeerQuestions,
  ) {}

  async check(register: Authority, query: RegisterQuery): Promise<RegisterAnswer> {
    let answer: RegisterAnswerDocument;
    try {
      answer = await this.questions.ask<RegisterAnswerDocument>(register, {
        path: REGISTER_CHECK_PATH,
        type: 'register-check',
        fields: { ...query },
        answerType: 'register-answer',
        maxBytes: MAX_REGISTER_DOCUMENT_BYTES,
        maxAgeMs: REGISTER_DOCUMENT_MAX_AGE_MS,
        timeoutMs: this.config.safeguards.registerCheckTimeoutMs,
      });
    } catch (error) {
      throw unavailable(register, (error as Error).message);
    }
    if (!Array.isArray(answer.hits) || !Array.isArray(answer.cleared)) {
      throw unavailable(register, 'its answer does not answer this question');
    }
    return { hits: answer.hits, cleared: answer.cleared };
  }
}

function unavailable(register: Authority, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.REGISTER_UNAVAILABLE,
    `the register of ${register.id} cannot be consulted: ${why}`,
    [{ register: register.id }],
  );
}
