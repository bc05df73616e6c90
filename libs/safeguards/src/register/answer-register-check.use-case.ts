import { Inject, Injectable } from '@nestjs/common';
import { AnonymousRefusals } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { openControl, sealControl } from '#libs/envelope';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { LocalRegister } from './local-register.js';
import {
  assertRegisterQuery,
  type RegisterAnswerDocument,
  type RegisterCheckDocument,
} from './register-check.js';
import {
  MAX_REGISTER_DOCUMENT_BYTES,
  REGISTER_DOCUMENT_MAX_AGE_MS,
} from './remote-register.client.js';

export interface RegisterCheckRouting {
  sender?: string;
  recipient?: string;
}

/**
 * The register side of the national register protocol: a node of this State asks whether the
 * persons of an outgoing message are protected. Only nodes of this node's own State are answered
 * (the register never leaves the State), and only about the authorities it serves; the question
 * must be signed by the asking node and sealed to this one, the answer is sealed to the asker.
 * Refusals are audited and answered with a stable code.
 */
@Injectable()
export class AnswerRegisterCheck {
  constructor(
    private readonly register: LocalRegister,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly anonymousRefusals: AnonymousRefusals,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(
    raw: Buffer,
    routing: RegisterCheckRouting,
    context: { correlationId: string; remoteAddress?: string },
  ): Promise<string> {
    try {
      return await this.answer(raw, routing);
    } catch (error) {
      const code = isGatewayError(error) ? error.code : 'INTERNAL_ERROR';
      const record = {
        event: 'register.check-refused' as const,
        actor: `node:${routing.sender ?? 'unknown'}`,
        correlationId: context.correlationId,
        details: {
          code,
          sender: routing.sender ?? null,
          recipient: routing.recipient ?? null,
          remoteAddress: context.remoteAddress ?? null,
        },
      };
      // Before the question's signature verified the asker is anonymous: aggregated (S7).
      await this.anonymousRefusals.recordPeerRefusal(record, code, context.remoteAddress, {
        ...record,
        actor: 'unauthenticated-peer',
      });
      throw error;
    }
  }

  private async answer(raw: Buffer, routing: RegisterCheckRouting): Promise<string> {
    const own = this.identity.authority;
    // Checked from the clear routing before any decryption: strangers cost nothing more.
    const asker = routing.sender ? this.directory.find(routing.sender) : undefined;
    if (!asker || asker.state !== own.state || this.identity.hosts(asker.id)) {
      throw new GatewayError(
        ErrorCode.REGISTER_CHECK_REFUSED,
        `the register answers the other nodes of ${own.state} only`,
        [{ field: 'x-envelope-sender' }],
      );
    }
    const recipient = routing.recipient;
    if (!recipient || !this.identity.hosts(recipient)) {
      throw new GatewayError(
        ErrorCode.WRONG_RECIPIENT,
        `this node's register is asked through ${this.identity.hosted.map((a) => a.id).join(', ')}`,
        [{ field: 'x-envelope-recipient' }],
      );
    }
    const question = await openControl<RegisterCheckDocument>(raw.toString('utf8'), {
      type: 'register-check',
      recipient,
      decryptionKeys: this.identity.keys.decryptionKeys,
      sender: asker,
      maxBytes: MAX_REGISTER_DOCUMENT_BYTES,
      maxAgeMs: REGISTER_DOCUMENT_MAX_AGE_MS,
      clockSkewMs: this.config.inbound.clockSkewMs,
      now: this.clock.now(),
    });
    assertRegisterQuery(question);
    const requester = this.directory.find(question.requester);
    if (!requester || requester.state !== own.state) {
      throw new GatewayError(
        ErrorCode.REGISTER_CHECK_REFUSED,
        'the requester is not an authority of this State',
        [{ field: 'requester' }],
      );
    }
    const answer = await this.register.answer(question, `node:${asker.id}`);
    const now = this.clock.now();
    const recipientKey = asker.currentKey(now);
    if (!recipientKey) {
      throw new GatewayError(
        ErrorCode.RECIPIENT_KEY_UNAVAILABLE,
        `${asker.id} has no valid key in the directory`,
      );
    }
    const document: RegisterAnswerDocument = {
      type: 'register-answer',
      queryId: question.queryId,
      keyVersion: question.keyVersion,
      sender: recipient,
      recipient: asker.id,
      createdAt: now.toISOString(),
      hits: answer.hits,
      cleared: answer.cleared,
    };
    return sealControl(document, {
      signingKey: this.identity.signingKey(now).key,
      recipientKey: recipientKey.publicKey,
    });
  }
}
