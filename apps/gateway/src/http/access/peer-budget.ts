import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { ROUTING_HEADERS } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { clientAddressOf, RateCounters } from './rate-counters.js';

/**
 * Answers a peer endpoint gives only once the sender's signature has verified: the post came from
 * a genuine peer, whatever else was wrong with it. Any other refusal (and any code not listed)
 * counts as unverified.
 */
const VERIFIED_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.PAYLOAD_INVALID,
  ErrorCode.PAYLOAD_TOO_DEEP,
  ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
  ErrorCode.ROUTING_MISMATCH,
  ErrorCode.ENVELOPE_EXPIRED,
  ErrorCode.ENVELOPE_FROM_FUTURE,
  ErrorCode.DUPLICATE_CONFLICT,
  ErrorCode.PROCEDURE_TRANSITION_REFUSED,
  ErrorCode.REGISTER_KEY_VERSION_MISMATCH,
]);

/** The code the error filter answered with (response.locals.errorCode), if any. */
export const ERROR_CODE_LOCAL = 'errorCode';

/**
 * Rate limits of the peer endpoints, counted before a body is read, in two budgets that junk
 * cannot mix (S3):
 *
 * - unverified posts, per client address and claimed sender (an unknown sender is one key):
 *   each post counts on arrival and is refunded once its signature verifies. Junk from an address
 *   exhausts only its own key: a genuine peer elsewhere, or one claiming another sender, is never
 *   refused because of it;
 * - verified envelopes, per sender authority: only a post whose signature verified counts, so
 *   nobody but the sender itself can use up its budget.
 *
 * The client address is the socket's, or the one forwarded by a trusted proxy
 * (GATEWAY_TRUSTED_PROXIES).
 */
@Injectable()
export class PeerBudget implements OnModuleDestroy {
  private readonly counters: RateCounters;
  private readonly windowMs: number;

  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly directory: AuthorityDirectory,
    private readonly audit: AuditTrail,
  ) {
    this.counters = new RateCounters(config.redis, `${config.redis.prefix}:peer-rate:`);
    this.windowMs = config.rateLimits.windowSeconds * 1000;
  }

  /** Express middleware for the peer paths, mounted before their body parsers. */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    this.admit(request, response).then(next, next);
  };

  onModuleDestroy(): void {
    this.counters.close();
  }

  private async admit(request: Request, response: Response): Promise<void> {
    const claimed = request.headers[ROUTING_HEADERS.sender];
    const sender =
      typeof claimed === 'string' && this.directory.find(claimed) ? claimed : undefined;
    const address = clientAddressOf(request);
    const verifiedKey = sender && `verified:${sender}`;
    const unverifiedKey = `unverified:${address}:${sender ?? '(unknown sender)'}`;
    const { perPeer, perPeerUnverified } = this.config.rateLimits;

    if (verifiedKey) {
      const verified = await this.counters.peek(verifiedKey);
      if (verified.hits >= perPeer) {
        await this.refuse(response, `sender ${sender}`, perPeer, verified.msToExpire, verifiedKey);
      }
    }
    const unverified = await this.counters.increment(unverifiedKey, this.windowMs);
    if (unverified.hits > perPeerUnverified) {
      await this.refuse(
        response,
        `address ${address}`,
        perPeerUnverified,
        unverified.msToExpire,
        unverifiedKey,
      );
    }
    response.once('finish', () => {
      const code: unknown = response.locals[ERROR_CODE_LOCAL];
      const verified =
        response.statusCode < 300 || (typeof code === 'string' && VERIFIED_REFUSALS.has(code));
      // A fault of this node says nothing of the post: refunded, counted nowhere.
      const ours = response.statusCode >= 500;
      if (!verified && !ours) return;
      void this.counters.increment(unverifiedKey, this.windowMs, -1);
      if (verified && verifiedKey) void this.counters.increment(verifiedKey, this.windowMs);
    });
  }

  /** 429 with Retry-After; the first refusal of a key in a window is audited (rate.limited). */
  private async refuse(
    response: Response,
    tracker: string,
    limit: number,
    msToExpire: number,
    key: string,
  ): Promise<never> {
    const retryAfter = Math.max(1, Math.ceil(msToExpire / 1000));
    response.setHeader('Retry-After', String(retryAfter));
    const refusals = await this.counters.increment(`limited:${key}`, Math.max(1, msToExpire));
    if (refusals.hits === 1) {
      await this.audit.record({
        event: 'rate.limited',
        actor: tracker,
        details: {
          code: ErrorCode.RATE_LIMITED,
          budget: key.startsWith('verified:') ? 'verified envelopes' : 'unverified posts',
          limit,
          windowMs: this.windowMs,
        },
      });
    }
    throw new GatewayError(
      ErrorCode.RATE_LIMITED,
      `more than ${limit} posts from ${tracker} in ${this.windowMs / 1000} s; retry in ${retryAfter} s`,
      [{ retryAfterSeconds: retryAfter }],
    );
  }
}
