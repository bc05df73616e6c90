import { Worker } from 'node:worker_threads';
import type * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  DECRYPTION_WORKER_ROLE,
  type DecryptionAnswer,
  type DecryptionInput,
  type DecryptionJob,
  type DecryptionOutcome,
} from './decrypt.js';

export interface DecryptionPoolOptions {
  /** Worker threads; each decrypts one envelope at a time. */
  workers: number;
  /** An envelope whose decryption takes longer is refused and its worker replaced. */
  timeoutMs: number;
  /** V8 old-generation limit of each worker; a worker that needs more is replaced. */
  maxMemoryMb: number;
  /** Envelopes waiting for a worker; beyond, a new one is refused at once. */
  maxQueued: number;
  /** The worker script: decrypt.js beside this module (tests pass the TypeScript source). */
  workerUrl?: URL;
}

interface Job {
  input: DecryptionInput;
  resolve(outcome: DecryptionOutcome): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  /** The worker has read the keys: its start-up does not count against an envelope's time. */
  ready: boolean;
  job?: Job & { id: number; timer: NodeJS.Timeout };
}

function unavailable(reason: string, message: string, detail: Record<string, unknown> = {}) {
  return new GatewayError(ErrorCode.ENVELOPE_DECRYPTION_UNAVAILABLE, message, [
    { reason, ...detail },
  ]);
}

/**
 * Decrypts envelopes in worker threads, off the event loop that answers every other request
 * (security S1): a structurally valid envelope of 10 MB encrypted to this node by anyone costs
 * some 150-200 ms of CPU before its signature can be judged, time the gateway's event loop would
 * otherwise spend blocked. Each decryption is bounded in time and memory; the node's private keys
 * are handed to the workers once, at start, and never leave the process.
 */
export class DecryptionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly armoredKeys: string[];
  private readonly workerUrl: URL;
  private nextId = 1;
  private closed = false;

  constructor(
    decryptionKeys: readonly openpgp.PrivateKey[],
    private readonly options: DecryptionPoolOptions,
  ) {
    // Unlocked keys, armored without a passphrase: they cross to the worker threads in memory only.
    this.armoredKeys = decryptionKeys.map((key) => key.armor());
    this.workerUrl = options.workerUrl ?? new URL('./decrypt.js', import.meta.url);
    for (let i = 0; i < options.workers; i++)
      this.slots.push({ worker: this.spawn(), ready: false });
  }

  /** A DecryptPackets function for openEnvelope. */
  readonly decrypt = (input: DecryptionInput): Promise<DecryptionOutcome> =>
    new Promise<DecryptionOutcome>((resolve, reject) => {
      if (this.closed) return reject(unavailable('closed', 'the node is shutting down'));
      if (this.queue.length >= this.options.maxQueued) {
        return reject(
          unavailable('busy', 'too many envelopes are waiting to be decrypted; retry later', {
            maxQueued: this.options.maxQueued,
          }),
        );
      }
      this.queue.push({ input, resolve, reject });
      this.dispatch();
    });

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) {
      job.reject(unavailable('closed', 'the node is shutting down'));
    }
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.job) {
          clearTimeout(slot.job.timer);
          slot.job.reject(unavailable('closed', 'the node is shutting down'));
          slot.job = undefined;
        }
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerUrl, {
      workerData: { role: DECRYPTION_WORKER_ROLE, keys: this.armoredKeys },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb },
      // Nothing of the parent's environment (the key passphrase variable is deleted, but still).
      env: {},
      stdout: false,
      stderr: false,
    });
    worker.on('message', (message: DecryptionAnswer | 'ready') => {
      if (message === 'ready') this.started(worker);
      else this.settle(worker, message);
    });
    worker.on('error', (error: Error & { code?: string }) => this.failed(worker, error));
    worker.on('exit', () => this.failed(worker));
    // A worker waiting for work must not keep a stopping process alive.
    worker.unref();
    return worker;
  }

  private started(worker: Worker): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    slot.ready = true;
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(() => this.timedOut(slot, id), this.options.timeoutMs);
      slot.job = { ...job, id, timer };
      slot.worker.ref();
      const { input } = job;
      const message: DecryptionJob = {
        id,
        // A copy of exactly these bytes in an ArrayBuffer of its own (a Buffer's may be shared,
        // and cannot be moved), moved to the worker without another copy.
        packets: new Uint8Array(input.packets),
        verificationKeys: input.verificationKeys.map((key) => key.armor()),
        date: input.date,
        maxDecompressedBytes: input.maxDecompressedBytes,
      };
      slot.worker.postMessage(message, [message.packets.buffer as ArrayBuffer]);
    }
  }

  private settle(worker: Worker, answer: DecryptionAnswer): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot?.job || slot.job.id !== answer.id) return;
    clearTimeout(slot.job.timer);
    slot.job.resolve(answer.outcome);
    slot.job = undefined;
    worker.unref();
    this.dispatch();
  }

  private timedOut(slot: Slot, id: number): void {
    if (slot.job?.id !== id) return;
    slot.job.reject(
      unavailable('time-limit', 'decrypting the envelope took longer than allowed', {
        limitMs: this.options.timeoutMs,
      }),
    );
    slot.job = undefined;
    this.replace(slot);
  }

  /** A worker died (out of memory, a crash) or was stopped: its envelope is refused, it is replaced. */
  private failed(worker: Worker, error?: Error & { code?: string }): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (!slot) return;
    if (slot.job) {
      clearTimeout(slot.job.timer);
      slot.job.reject(
        error?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new GatewayError(
              ErrorCode.ENVELOPE_TOO_LARGE,
              'decrypting the envelope needed more memory than allowed',
              [{ reason: 'memory-limit', limitMb: this.options.maxMemoryMb }],
            )
          : unavailable('worker-failed', 'the decryption worker failed; retry later'),
      );
      slot.job = undefined;
    }
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    const old = slot.worker;
    const startedBefore = slot.ready;
    old.removeAllListeners();
    old.on('error', () => undefined);
    // A worker that ended of itself has nothing left to terminate; the promise is not awaited.
    void old.terminate().catch(() => undefined);
    slot.ready = false;
    if (this.closed) return;
    if (startedBefore) {
      slot.worker = this.spawn();
      return;
    }
    // It never started (its keys would not load): what waits is refused rather than left hanging,
    // and the next attempt comes a second later, not in a tight loop.
    for (const job of this.queue.splice(0)) {
      job.reject(unavailable('worker-failed', 'the decryption worker failed; retry later'));
    }
    setTimeout(() => {
      if (!this.closed) slot.worker = this.spawn();
    }, 1_000).unref();
  }
}
