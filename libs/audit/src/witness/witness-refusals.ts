import { Injectable } from '@nestjs/common';
import { isGatewayError } from '#libs/errors';
import { AnonymousRefusals } from '../anonymous-refusals.js';

export interface WitnessRouting {
  sender?: string;
  recipient?: string;
}

export interface PeerContext {
  correlationId: string;
  remoteAddress?: string;
}

/**
 * Audits a refusal of either witness endpoint (`audit.witness-refused`, with the code and what was
 * asked): refusals before the sender's signature verified are a stranger's, aggregated per source
 * (S7); the others one by one.
 */
@Injectable()
export class WitnessRefusals {
  constructor(private readonly anonymousRefusals: AnonymousRefusals) {}

  async record(
    error: unknown,
    endpoint: 'statement' | 'heads',
    routing: WitnessRouting,
    context: PeerContext,
  ): Promise<void> {
    const code = isGatewayError(error) ? error.code : 'INTERNAL_ERROR';
    const record = {
      event: 'audit.witness-refused' as const,
      actor: `node:${routing.sender ?? 'unknown'}`,
      correlationId: context.correlationId,
      details: {
        code,
        endpoint,
        sender: routing.sender ?? null,
        recipient: routing.recipient ?? null,
        remoteAddress: context.remoteAddress ?? null,
      },
    };
    await this.anonymousRefusals.recordPeerRefusal(record, code, context.remoteAddress, {
      ...record,
      actor: 'unauthenticated-peer',
    });
  }
}
