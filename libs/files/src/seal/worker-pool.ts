import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { SealTask, SealWorkerMessage } from './seal-worker.js';

/** Where the worker's code is: compiled beside this file, or the TypeScript source in tests. */
function workerUrl(): URL {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./seal-worker.${extension}`, import.meta.url);
}

export interface SealedChunkResult {
  bytes: number;
  sha256: string;
}

interface Running {
  resolve: (result: SealedChunkResult) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed set of sealing threads (by default one per core, at most four): each seals one chunk at
 * a time, so that memory is bounded by the threads and the chunk size, never by the file.
 */
export class SealWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(worker: Worker) => void> = [];
  private readonly running = new Map<number, Running>();
  private readonly workers: Worker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size = Math.max(1, Math.min(4, availableParallelism()))) {
    for (let index = 0; index < size; index++) {
      const worker = new Worker(workerUrl());
      worker.on('message', (message: SealWorkerMessage) => this.onMessage(message));
      worker.on('error', (error: Error) => this.onCrash(error));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Seals one chunk on the next free thread. */
  async seal(task: Omit<SealTask, 'type' | 'id'>): Promise<SealedChunkResult> {
    const worker = await this.acquire();
    const id = this.nextId++;
    try {
      return await new Promise<SealedChunkResult>((resolve, reject) => {
        this.running.set(id, { resolve, reject });
        worker.postMessage({ ...task, type: 'seal', id } satisfies SealTask);
      });
    } finally {
      this.running.delete(id);
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private acquire(): Promise<Worker> {
    if (this.closed) return Promise.reject(new Error('the sealing threads are closed'));
    const worker = this.idle.pop();
    if (worker) return Promise.resolve(worker);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next) next(worker);
    else this.idle.push(worker);
  }

  private onMessage(message: SealWorkerMessage): void {
    const task = this.running.get(message.id);
    if (!task) return;
    if (message.type === 'sealed') {
      task.resolve({ bytes: message.bytes, sha256: message.sha256 });
    } else {
      task.reject(
        message.code === 'ENOSPC'
          ? new GatewayError(ErrorCode.STORAGE_FULL, 'no space left to store the sealed chunk')
          : new Error(`sealing a chunk failed: ${message.message}`),
      );
    }
  }

  private onCrash(error: Error): void {
    for (const task of this.running.values()) task.reject(error);
    this.running.clear();
  }
}
