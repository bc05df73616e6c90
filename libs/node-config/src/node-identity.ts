import type { Authority } from '#libs/directory';
import type { PrivateKey } from '#libs/envelope';

/** The authority this node serves and its unlocked signing/decryption key. */
export class NodeIdentity {
  constructor(
    readonly authority: Authority,
    readonly privateKey: PrivateKey,
  ) {}

  get authorityId(): string {
    return this.authority.id;
  }

  get fingerprint(): string {
    return this.authority.fingerprint;
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
