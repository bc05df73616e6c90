import { Inject, Injectable } from '@nestjs/common';
import { AuthorityDirectory } from '#libs/directory';
import { openControl, sealControl } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { AuditWitnesses } from './audit-witnesses.repository.js';
import { witnessedPeer } from './receive-head-statement.use-case.js';
import {
  MAX_WITNESS_REQUEST_BYTES,
  WITNESS_ANSWER_LIMIT,
  WITNESS_QUERY_MAX_AGE_MS,
  type WitnessAnswerDocument,
  type WitnessQueryDocument,
} from './witness-protocol.js';
import { WitnessRefusals, type PeerContext, type WitnessRouting } from './witness-refusals.js';

/**
 * A peer asks which of its heads this node holds (`audit verify --witnesses` on that peer). The
 * question is a control document signed by the asker and sealed to this node; the answer, sealed
 * to the asker alone, holds the asker's own signed statements and nothing about anyone else.
 */
@Injectable()
export class AnswerWitnessQuery {
  constructor(
    private readonly witnesses: AuditWitnesses,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly refusals: WitnessRefusals,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(raw: Buffer, routing: WitnessRouting, context: PeerContext): Promise<string> {
    try {
      return await this.answer(raw, routing);
    } catch (error) {
      await this.refusals.record(error, 'heads', routing, context);
      throw error;
    }
  }

  private async answer(raw: Buffer, routing: WitnessRouting): Promise<string> {
    if (raw.length === 0) {
      throw new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'the request has no query');
    }
    const asker = witnessedPeer(this.directory, this.identity, routing);
    const recipient = routing.recipient!;
    // Size, then the packet structure, before any private-key operation (openControl).
    const query = await openControl<WitnessQueryDocument>(raw.toString('utf8'), {
      type: 'audit-witness-query',
      recipient,
      decryptionKeys: this.identity.keys.decryptionKeys,
      sender: asker,
      maxBytes: MAX_WITNESS_REQUEST_BYTES,
      maxAgeMs: WITNESS_QUERY_MAX_AGE_MS,
      clockSkewMs: this.config.inbound.clockSkewMs,
      now: this.clock.now(),
    });
    if (typeof query.queryId !== 'string' || query.queryId.length > 64) {
      throw new GatewayError(ErrorCode.PAYLOAD_INVALID, 'queryId must be a string', [
        { field: 'queryId' },
      ]);
    }
    const now = this.clock.now();
    const askerKey = asker.currentKey(now);
    if (!askerKey) {
      throw new GatewayError(
        ErrorCode.RECIPIENT_KEY_UNAVAILABLE,
        `${asker.id} has no valid key in the directory`,
      );
    }
    const answer: WitnessAnswerDocument = {
      type: 'audit-witness-heads',
      queryId: query.queryId,
      sender: recipient,
      recipient: asker.id,
      createdAt: now.toISOString(),
      statements: await this.witnesses.heldAbout(asker.id, WITNESS_ANSWER_LIMIT),
    };
    return sealControl(answer, {
      signingKey: this.identity.signingKey(now).key,
      recipientKey: askerKey.publicKey,
    });
  }
}
