import { BlockList, isIPv4 } from 'node:net';
import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { redisClient, type RedisLocation } from '#libs/bus';

export interface Count {
  hits: number;
  /** Until the window ends. */
  msToExpire: number;
}

// One round trip: count the hit, start the window on the first one, report the window's rest.
const INCREMENT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {hits, ttl}`;

// Reads a counter without starting a window.
const PEEK = `
local hits = redis.call('GET', KEYS[1])
if not hits then return {0, 0} end
return {tonumber(hits), redis.call('PTTL', KEYS[1])}`;

/** The scripts as commands: ioredis sends them by SHA (EVALSHA), the text only when Redis lacks it. */
type ScriptedRedis = (Redis | Cluster) & {
  rateIncrement(key: string, windowMs: number, by: number): Promise<[number, number]>;
  ratePeek(key: string): Promise<[number, number]>;
};

/** How long a call waits for Redis before it counts in-process. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * A counter's answer within COMMAND_TIMEOUT_MS. Bounded here rather than with ioredis'
 * `commandTimeout`, which a Cluster client also applies to its own reading of the slot map.
 */
function answeredWithin<T>(command: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${COMMAND_TIMEOUT_MS} ms`)),
      COMMAND_TIMEOUT_MS,
    );
  });
  command.catch(() => undefined);
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}

/**
 * Fixed-window counters shared by every gateway process of the node through Redis. When Redis
 * cannot be reached the counters fall back to this process alone (a warning is logged once per
 * outage): limits then hold per process instead of per node, and no route fails because Redis
 * does (R5). Redis is tried again on every call, so the shared counters come back with it.
 */
export class RateCounters {
  private readonly logger = new Logger(RateCounters.name);
  private readonly redis: ScriptedRedis;
  private readonly local = new Map<string, { hits: number; expiresAt: number }>();
  private degraded = false;
  private sweep?: NodeJS.Timeout;
  /** The first connection attempt: calls wait for it once, then go straight to Redis or not. */
  private readonly connecting: Promise<void>;

  constructor(
    redis: RedisLocation,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.redis = redisClient(redis, {
      // A command fails at once while Redis is away, instead of queueing behind a reconnection.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      lazyConnect: true,
    }) as ScriptedRedis;
    this.redis.defineCommand('rateIncrement', { numberOfKeys: 1, lua: INCREMENT });
    this.redis.defineCommand('ratePeek', { numberOfKeys: 1, lua: PEEK });
    // A command that fails is what moves the counting here (increment, peek): an error event
    // alone loses nothing (a Cluster reports a slot refresh that timed out, and keeps its map).
    this.redis.on('error', () => undefined);
    this.connecting = this.redis
      .connect()
      .catch((error: Error) => this.fallBack(`not reachable at start-up: ${error.message}`));
  }

  async increment(key: string, windowMs: number, by = 1): Promise<Count> {
    await this.connecting;
    try {
      const [hits, msToExpire] = await answeredWithin(
        this.redis.rateIncrement(this.prefix + key, windowMs, by),
      );
      this.recovered();
      return { hits, msToExpire };
    } catch (error) {
      this.fallBack((error as Error).message);
      return this.incrementLocally(key, windowMs, by);
    }
  }

  async peek(key: string): Promise<Count> {
    await this.connecting;
    try {
      const [hits, msToExpire] = await answeredWithin(this.redis.ratePeek(this.prefix + key));
      this.recovered();
      return { hits, msToExpire };
    } catch (error) {
      this.fallBack((error as Error).message);
      const entry = this.local.get(key);
      const now = this.now();
      return entry && entry.expiresAt > now
        ? { hits: entry.hits, msToExpire: entry.expiresAt - now }
        : { hits: 0, msToExpire: 0 };
    }
  }

  close(): void {
    clearInterval(this.sweep);
    this.redis.disconnect();
  }

  private incrementLocally(key: string, windowMs: number, by: number): Count {
    const now = this.now();
    let entry = this.local.get(key);
    if (!entry || entry.expiresAt <= now) {
      entry = { hits: 0, expiresAt: now + windowMs };
      this.local.set(key, entry);
    }
    entry.hits += by;
    return { hits: entry.hits, msToExpire: entry.expiresAt - now };
  }

  private fallBack(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      { reason },
      'Redis unreachable: rate limits counted by this process alone until it returns',
    );
    // Expired local windows are dropped, so that the fallback's memory stays bounded.
    this.sweep ??= setInterval(() => {
      const now = this.now();
      for (const [key, entry] of this.local) if (entry.expiresAt <= now) this.local.delete(key);
    }, 10_000).unref();
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.local.clear();
    this.logger.log('Redis reachable again: rate limits shared by the node once more');
  }
}

/**
 * Express's `trust proxy` for GATEWAY_TRUSTED_PROXIES: X-Forwarded-For is read only as far back as
 * the hops are trusted proxies; `request.ip` is then the first address not among them.
 */
export function trustedProxyCheck(cidrs: readonly string[]): (address: string) => boolean {
  const blocks = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    blocks.addSubnet(address, Number(bits), isIPv4(address) ? 'ipv4' : 'ipv6');
  }
  return (address: string) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    try {
      return blocks.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
  };
}

/** The client's address: the socket's, or the one a trusted proxy forwarded for. */
export function clientAddressOf(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
