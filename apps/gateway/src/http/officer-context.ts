import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { SubmissionContext } from '#libs/messaging';
import { NodeIdentity } from '#libs/node-config';
import { correlationIdOf } from './correlation.js';

/**
 * Who acts, for the audit trail. Until user authentication exists, actions are attributed to the
 * node's own authority; this is the one place that changes when it does.
 */
@Injectable()
export class OfficerContext {
  constructor(private readonly identity: NodeIdentity) {}

  actor(): string {
    return `officer@${this.identity.authorityId}`;
  }

  of(request: Request): SubmissionContext {
    return { actor: this.actor(), correlationId: correlationIdOf(request) };
  }
}
