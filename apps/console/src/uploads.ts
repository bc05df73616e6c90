/**
 * Evidence files of a draft, uploaded with tus (tus-js-client against POST /api/v1/uploads): one
 * entry per file with its progress, pause and resume, and the `attachments` the submission carries
 * once every upload is complete. Plain TypeScript (no DOM, no Preact): the page renders the entries.
 */
import type { PreviousUpload, UploadOptions } from 'tus-js-client';

/** What a caseworker declares a file to be (as the API accepts them: libs/files FILE_CATEGORIES). */
export const FILE_CATEGORIES = [
  'evidence-item',
  'identity-document',
  'photograph',
  'fingerprints',
  'health',
  'translation',
  'other',
] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

export const UPLOADS_ENDPOINT = '/api/v1/uploads';

/**
 * Retries after a network cut or a 5xx (a 4xx refusal is final): the upload asks the gateway for
 * its offset (HEAD) and continues from there.
 */
export const RETRY_DELAYS = [0, 1_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000];

/** Bytes per PATCH: a pause takes effect between requests, and progress is told during each. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

export type UploadState = 'uploading' | 'paused' | 'complete' | 'failed';

/** The part of a File an upload reads (a browser File, or a test's stand-in). */
export interface FileLike {
  name: string;
  size: number;
  type: string;
  lastModified: number;
}

export interface FileEntry {
  key: string;
  name: string;
  size: number;
  category: FileCategory;
  state: UploadState;
  /** Bytes the gateway has (as tus reports them). */
  sent: number;
  /** The gateway's upload id, once created. */
  uploadId?: string;
  /** Continued from an unfinished upload of the same file (found by its fingerprint). */
  resumed: boolean;
  /** Why the upload stopped: the gateway's refusal, or the network's. */
  error?: unknown;
}

/** The part of tus-js-client's Upload used here (so that a test can stand in for it). */
export interface TusUpload {
  url: string | null;
  start(): void;
  abort(shouldTerminate?: boolean): Promise<void>;
  findPreviousUploads(): Promise<PreviousUpload[]>;
  resumeFromPreviousUpload(previous: PreviousUpload): void;
}

export type TusFactory = (file: FileLike, options: UploadOptions) => TusUpload;

export interface FileUploadsOptions {
  /** Who uploads: part of each file's fingerprint, so that a shared browser never resumes another's. */
  owner: string;
  /** Headers for each tus request (the session's CSRF token on POST, PATCH and DELETE). */
  headers: () => Record<string, string>;
  /** Turns a failed tus request into the error shown (the API's error body, when it has one). */
  errorOf?: (error: Error) => unknown;
  retryDelays?: number[];
}

/** The last path segment of a tus upload URL: the upload's id for `attachments`. */
export function uploadIdOf(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}

/** A file's fingerprint for resuming: who, which file (name, type, size, date), which endpoint. */
export function fingerprintOf(owner: string, file: FileLike): string {
  return ['tip', owner, UPLOADS_ENDPOINT, file.name, file.type, file.size, file.lastModified].join(
    '|',
  );
}

/**
 * A draft's uploads. `onChange` is told of every change (progress included) with a fresh list.
 */
export class FileUploads {
  private entries: FileEntry[] = [];
  private readonly uploads = new Map<string, TusUpload>();
  private counter = 0;

  constructor(
    private readonly factory: TusFactory,
    private readonly options: FileUploadsOptions,
    private readonly onChange: (entries: FileEntry[]) => void,
  ) {}

  get list(): readonly FileEntry[] {
    return this.entries;
  }

  /** Some upload is not complete: the draft cannot be previewed or sent yet. */
  get pending(): boolean {
    return this.entries.some((entry) => entry.state !== 'complete');
  }

  /** What the submission carries: every complete upload, in order, with its declared category. */
  attachments(): Array<{ uploadId: string; category: FileCategory }> {
    return this.entries.flatMap((entry) =>
      entry.state === 'complete' && entry.uploadId
        ? [{ uploadId: entry.uploadId, category: entry.category }]
        : [],
    );
  }

  /** Adds a file and starts its upload, continuing an unfinished upload of the same file if any. */
  async add(file: FileLike, category: FileCategory = 'evidence-item'): Promise<FileEntry> {
    const key = `file-${++this.counter}`;
    const entry: FileEntry = {
      key,
      name: file.name,
      size: file.size,
      category,
      state: 'uploading',
      sent: 0,
      resumed: false,
    };
    this.entries = [...this.entries, entry];
    this.emit();
    const upload = this.factory(file, {
      endpoint: UPLOADS_ENDPOINT,
      chunkSize: CHUNK_BYTES,
      retryDelays: this.options.retryDelays ?? RETRY_DELAYS,
      metadata: {
        filename: file.name,
        filetype: file.type || 'application/octet-stream',
        category,
      },
      fingerprint: () => Promise.resolve(fingerprintOf(this.options.owner, file)),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: (request) => {
        for (const [name, value] of Object.entries(this.options.headers()))
          request.setHeader(name, value);
      },
      onUploadUrlAvailable: () => {
        const url = this.uploads.get(key)?.url;
        if (url) this.update(key, { uploadId: uploadIdOf(url) });
      },
      onProgress: (sent) => this.update(key, { sent }),
      onSuccess: () => {
        const url = this.uploads.get(key)?.url;
        this.update(key, {
          state: 'complete',
          sent: file.size,
          ...(url ? { uploadId: uploadIdOf(url) } : {}),
          error: undefined,
        });
      },
      onError: (error) =>
        this.update(key, {
          state: 'failed',
          error: this.options.errorOf ? this.options.errorOf(error) : error,
        }),
    });
    this.uploads.set(key, upload);
    try {
      const previous = await upload.findPreviousUploads();
      if (previous.length > 0) {
        upload.resumeFromPreviousUpload(previous[0]);
        this.update(key, { resumed: true });
      }
    } catch {
      // No storage to look in: a new upload.
    }
    if (this.find(key)?.state === 'uploading') upload.start();
    return this.find(key)!;
  }

  /** Stops sending (the bytes already sent stay on the gateway). */
  async pause(key: string): Promise<void> {
    const upload = this.uploads.get(key);
    if (!upload || this.find(key)?.state !== 'uploading') return;
    this.update(key, { state: 'paused' });
    await upload.abort(false);
  }

  /** Continues a paused or failed upload from the offset the gateway has (HEAD). */
  resume(key: string): void {
    const upload = this.uploads.get(key);
    const state = this.find(key)?.state;
    if (!upload || (state !== 'paused' && state !== 'failed')) return;
    this.update(key, { state: 'uploading', error: undefined });
    upload.start();
  }

  /** Continues every upload a network cut stopped (the browser is online again). */
  resumeFailed(): void {
    for (const entry of this.entries) if (entry.state === 'failed') this.resume(entry.key);
  }

  /** The category declared for the file, sent with the attachment (it overrides the upload's). */
  setCategory(key: string, category: FileCategory): void {
    this.update(key, { category });
  }

  /** Removes a file from the draft; an unfinished upload is ended on the gateway (DELETE). */
  async remove(key: string): Promise<void> {
    const upload = this.uploads.get(key);
    const entry = this.find(key);
    this.entries = this.entries.filter((e) => e.key !== key);
    this.uploads.delete(key);
    this.emit();
    if (upload && entry && entry.state !== 'complete') {
      // An upload never created has nothing to end; the gateway's expiry sweeps the rest.
      await upload.abort(upload.url !== null).catch(() => undefined);
    }
  }

  /** Forgets every file (after the draft is sent: the uploads are attached to the message). */
  clear(): void {
    this.entries = [];
    this.uploads.clear();
    this.emit();
  }

  private find(key: string): FileEntry | undefined {
    return this.entries.find((entry) => entry.key === key);
  }

  private update(key: string, change: Partial<FileEntry>): void {
    if (!this.find(key)) return;
    this.entries = this.entries.map((entry) =>
      entry.key === key ? { ...entry, ...change } : entry,
    );
    this.emit();
  }

  private emit(): void {
    this.onChange(this.entries);
  }
}
