import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { AuditTrail } from '../audit-trail.js';
import { AuditWitnesses } from './audit-witnesses.repository.js';
import { MAX_HEAD_STATEMENT_BYTES, verifyHeadStatement } from './head-statement.js';
import { WitnessRefusals, type PeerContext, type WitnessRouting } from './witness-refusals.js';

/**
 * A peer's signed head of its audit chain, kept as evidence of what its history was. Checked in
 * order of cost: size and the clear routing headers (a stranger costs nothing more), then the
 * signature against the sender's directory keys, then the fields. Every refusal is audited and
 * answered with a stable code; the same statement twice is stored once.
 */
@Injectable()
export class ReceiveHeadStatement {
  private readonly logger = new Logger(ReceiveHeadStatement.name);

  constructor(
    private readonly witnesses: AuditWitnesses,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly audit: AuditTrail,
    private readonly refusals: WitnessRefusals,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(
    raw: Buffer,
    routing: WitnessRouting,
    context: PeerContext,
  ): Promise<{ stored: boolean }> {
    try {
      return await this.receive(raw, routing, context);
    } catch (error) {
      await this.refusals.record(error, 'statement', routing, context);
      throw error;
    }
  }

  private async receive(
    raw: Buffer,
    routing: WitnessRouting,
    context: PeerContext,
  ): Promise<{ stored: boolean }> {
    if (raw.length === 0) {
      throw new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'the request has no statement');
    }
    if (raw.length > MAX_HEAD_STATEMENT_BYTES) {
      throw new GatewayError(
        ErrorCode.ENVELOPE_TOO_LARGE,
        `an audit head statement is at most ${MAX_HEAD_STATEMENT_BYTES} bytes`,
      );
    }
    const sender = witnessedPeer(this.directory, this.identity, routing);
    const armored = raw.toString('utf8');
    const now = this.clock.now();
    const latest = new Date(now.getTime() + this.config.inbound.clockSkewMs);
    const verified = await verifyHeadStatement(armored, sender, latest);
    // A head from the past is no threat (the peer did sign it): only one from the future is refused.
    if (Date.parse(verified.statement.signedAt) > latest.getTime()) {
      throw new GatewayError(
        ErrorCode.ENVELOPE_FROM_FUTURE,
        "the statement is signed ahead of this node's clock beyond the tolerated skew",
      );
    }
    const { stored, conflicting } = await this.witnesses.store(verified, armored, now);
    if (stored && conflicting.length > 0) {
      // The peer signed two histories: both statements are kept, and the fork is on record here.
      this.logger.warn(
        { authority: sender.id, seq: verified.statement.seq },
        'a peer signed two different audit heads for one position',
      );
      await this.audit.record({
        event: 'audit.witness-conflict',
        actor: `node:${sender.id}`,
        correlationId: context.correlationId,
        details: {
          code: ErrorCode.AUDIT_WITNESS_MISMATCH,
          authority: sender.id,
          seq: verified.statement.seq,
          headHash: verified.statement.headHash,
          heldHashes: conflicting,
        },
      });
    }
    return { stored };
  }
}

/** The peer named by the clear routing headers: in the directory, and not this node itself. */
export function witnessedPeer(
  directory: AuthorityDirectory,
  identity: NodeIdentity,
  routing: WitnessRouting,
): Authority {
  if (!routing.sender || !routing.recipient) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_ROUTING_MISSING,
      'X-Envelope-Sender and X-Envelope-Recipient are required',
    );
  }
  const sender = directory.find(routing.sender);
  if (!sender) {
    throw new GatewayError(ErrorCode.UNKNOWN_SENDER, `${routing.sender} is not in the directory`, [
      { field: 'x-envelope-sender' },
    ]);
  }
  if (!identity.hosts(routing.recipient) || identity.hosts(sender.id)) {
    throw new GatewayError(
      ErrorCode.WRONG_RECIPIENT,
      `this node witnesses its peers through ${identity.hosted.map((a) => a.id).join(', ')}`,
      [{ field: 'x-envelope-recipient' }],
    );
  }
  return sender;
}
