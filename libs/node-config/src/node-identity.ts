import { readFileSync } from 'node:fs';
import type { Authority } from '#libs/directory';
import type { PrivateKey } from '#libs/envelope';
import type { NodeKeyRing } from './key-ring.js';

/**
 * The authorities this node serves and its unlocked key ring. A node belongs to one
 * authority, or hosts several authorities of one State as a hub (domain.md section 1); the hosted
 * ones share the node's endpoint and keys, and their users never see each other's cases.
 */
export class NodeIdentity {
  constructor(
    /** The node's own authority: it signs receipts and names the node. */
    readonly authority: Authority,
    /** The node's unlocked keys: the current signing key and the older ones it still decrypts with. */
    readonly keys: NodeKeyRing,
    /** Every authority served here, the node's own first. */
    readonly hosted: readonly Authority[] = [authority],
  ) {}

  get authorityId(): string {
    return this.authority.id;
  }

  hosts(authorityId: string): boolean {
    return this.hosted.some((authority) => authority.id === authorityId);
  }

  /** A hosted authority; throws for any other, which callers must have refused before. */
  hostedAuthority(authorityId: string): Authority {
    const found = this.hosted.find((authority) => authority.id === authorityId);
    if (!found) throw new Error(`${authorityId} is not hosted on this node`);
    return found;
  }

  /** The key this node signs and seals with at `at` (hosted authorities share it). */
  signingKey(at: Date): { key: PrivateKey; fingerprint: string } {
    return this.keys.signingKey(this.authority, at);
  }
}

/** Time source; injected so that tests can move it. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * The system clock shifted by the number of milliseconds written in a file, re-read at most every
 * 200 ms, so that every process of a node moves together. For deadline drills and tests only
 * (GATEWAY_CLOCK_OFFSET_FILE); without that variable nodes run on the system clock.
 */
export class OffsetClock extends Clock {
  private offsetMs = 0;
  private readAt = 0;

  constructor(private readonly file: string) {
    super();
  }

  now(): Date {
    const real = Date.now();
    if (real - this.readAt > 200) {
      this.readAt = real;
      try {
        const value = Number(readFileSync(this.file, 'utf8').trim());
        this.offsetMs = Number.isFinite(value) ? value : 0;
      } catch {
        this.offsetMs = 0;
      }
    }
    return new Date(real + this.offsetMs);
  }
}
