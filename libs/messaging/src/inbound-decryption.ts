import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DecryptionPool, type DecryptPackets } from '#libs/envelope';
import { NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';

/** Envelopes waiting for a decryption worker, per worker, before new ones are refused (503). */
const QUEUED_PER_WORKER = 32;

/**
 * Where inbound envelopes are decrypted: worker threads off the gateway's event loop (security
 * S1), bounded in time and memory (inbound.decryption*). The pool starts with the first envelope,
 * so that processes which never receive one (the worker app) start no threads.
 */
@Injectable()
export class InboundDecryption implements OnModuleDestroy {
  private pool?: DecryptionPool;

  constructor(
    private readonly identity: NodeIdentity,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  readonly decrypt: DecryptPackets = (input) => {
    const { decryptionWorkers, decryptionTimeoutMs, decryptionMemoryMb } = this.config.inbound;
    this.pool ??= new DecryptionPool(this.identity.keys.decryptionKeys, {
      workers: decryptionWorkers,
      timeoutMs: decryptionTimeoutMs,
      maxMemoryMb: decryptionMemoryMb,
      maxQueued: QUEUED_PER_WORKER * decryptionWorkers,
    });
    return this.pool.decrypt(input);
  };

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }
}
