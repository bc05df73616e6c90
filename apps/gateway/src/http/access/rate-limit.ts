import { Inject, Injectable, type ExecutionContext, type OnModuleDestroy } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Response } from 'express';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { correlationIdOf } from '../correlation.js';
import { PEER_KEY, type AuthenticatedRequest } from './decorators.js';
import { clientAddressOf, RateCounters } from './rate-counters.js';

/** The throttler's storage: the node's shared counters, or this process's while Redis is away. */
@Injectable()
export class RedisRateLimitStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly counters: RateCounters;

  constructor(@Inject(NODE_CONFIG) config: NodeConfig) {
    this.counters = new RateCounters(config.redis, `${config.redis.prefix}:rate:`);
  }

  async increment(key: string, ttl: number, limit: number) {
    const { hits, msToExpire } = await this.counters.increment(key, ttl);
    const timeToExpire = Math.max(1, Math.ceil(msToExpire / 1000));
    return {
      totalHits: hits,
      timeToExpire,
      isBlocked: hits > limit,
      timeToBlockExpire: hits > limit ? timeToExpire : 0,
    };
  }

  onModuleDestroy(): void {
    this.counters.close();
  }
}

function isPeerEndpoint(context: ExecutionContext): boolean {
  return [context.getHandler(), context.getClass()].some(
    (target) => Reflect.getMetadata(PEER_KEY, target) === true,
  );
}

/**
 * Two throttlers over the officer API (not per endpoint): per client address for every request,
 * before authentication, so that probing credentials costs the node little; and per signed-in
 * user. The peer endpoints have budgets of their own (PeerBudget), counted before their bodies
 * are read.
 */
export function rateLimitOptions(
  config: NodeConfig,
  storage: ThrottlerStorage,
): ThrottlerModuleOptions {
  const ttl = config.rateLimits.windowSeconds * 1000;
  return {
    storage,
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    throttlers: [
      {
        name: 'address',
        ttl,
        limit: config.rateLimits.perAddress,
        skipIf: isPeerEndpoint,
        getTracker: (request) => clientAddressOf(request as AuthenticatedRequest),
      },
      {
        name: 'user',
        ttl,
        limit: config.rateLimits.perUser,
        skipIf: (context) => !context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
        getTracker: (request) => (request as AuthenticatedRequest).principal?.username ?? '-',
      },
    ],
  };
}

/**
 * The throttler for one phase of a request, answering in the gateway's error format and auditing
 * the first refusal of a window.
 */
abstract class PhasedRateLimitGuard extends ThrottlerGuard {
  @Inject(AuditTrail) private readonly audit!: AuditTrail;
  /** The throttlers this guard counts. */
  protected abstract readonly phase: readonly string[];

  override canActivate(context: ExecutionContext): Promise<boolean> {
    // Only HTTP requests are counted; the node's internal event bus is not.
    return context.getType() === 'http' ? super.canActivate(context) : Promise.resolve(true);
  }

  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    return this.phase.includes(request.throttler.name ?? '')
      ? super.handleRequest(request)
      : Promise.resolve(true);
  }
  protected override async throwThrottlingException(
    context: ExecutionContext,
    limit: ThrottlerLimitDetail,
  ): Promise<void> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('Retry-After', String(limit.timeToBlockExpire));
    if (limit.totalHits === limit.limit + 1) {
      await this.audit.record({
        event: 'rate.limited',
        actor: request.principal
          ? `${request.principal.username}@${request.principal.authorityId}`
          : limit.tracker,
        correlationId: correlationIdOf(request),
        details: { code: ErrorCode.RATE_LIMITED, limit: limit.limit, windowMs: limit.ttl },
      });
    }
    throw new GatewayError(
      ErrorCode.RATE_LIMITED,
      `more than ${limit.limit} requests in ${limit.ttl / 1000} s; retry in ${limit.timeToBlockExpire} s`,
      [{ retryAfterSeconds: limit.timeToBlockExpire }],
    );
  }
}

/** Runs before authentication: per client address. */
@Injectable()
export class AddressRateLimitGuard extends PhasedRateLimitGuard {
  protected readonly phase = ['address'];
}

/** Runs once the caller is known: per user. */
@Injectable()
export class UserRateLimitGuard extends PhasedRateLimitGuard {
  protected readonly phase = ['user'];
}
