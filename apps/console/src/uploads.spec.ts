/// <reference types="jest" />
import type { HttpRequest, PreviousUpload, UploadOptions } from 'tus-js-client';
import {
  FileUploads,
  fingerprintOf,
  uploadIdOf,
  type FileEntry,
  type TusUpload,
} from './uploads.js';

/** A stand-in for tus-js-client's Upload: records calls; the test plays the gateway's answers. */
class FakeUpload implements TusUpload {
  url: string | null = null;
  starts = 0;
  aborts: boolean[] = [];
  resumedFrom?: PreviousUpload;
  constructor(
    readonly file: { name: string; size: number },
    readonly options: UploadOptions,
    private readonly previous: PreviousUpload[] = [],
  ) {}
  start() {
    this.starts += 1;
  }
  abort(shouldTerminate?: boolean) {
    this.aborts.push(shouldTerminate ?? false);
    return Promise.resolve();
  }
  findPreviousUploads() {
    return Promise.resolve(this.previous);
  }
  resumeFromPreviousUpload(previous: PreviousUpload) {
    this.resumedFrom = previous;
    this.url = previous.uploadUrl;
  }
  /** The gateway created the upload at `url`. */
  created(url: string) {
    this.url = url;
    this.options.onUploadUrlAvailable?.();
  }
  progress(sent: number) {
    this.options.onProgress?.(sent, this.file.size);
  }
  succeed() {
    this.options.onSuccess?.({} as never);
  }
  fail(error: Error) {
    this.options.onError?.(error);
  }
}

const FILE = { name: 'statement.txt', size: 1000, type: 'text/plain', lastModified: 1_700_000 };

function setup(previous: PreviousUpload[] = []) {
  const created: FakeUpload[] = [];
  const seen: FileEntry[][] = [];
  const uploads = new FileUploads(
    (file, options) => {
      const upload = new FakeUpload(file, options, previous);
      created.push(upload);
      return upload;
    },
    { owner: 'fr-moj-bepi.central-authority-officer', headers: () => ({ 'x-csrf-token': 'abc' }) },
    (entries) => seen.push([...entries]),
  );
  return { uploads, created, seen };
}

describe('FileUploads (the console’s evidence files)', () => {
  it('uploads a file with its metadata and fingerprint, tells the progress, and attaches it once complete', async () => {
    const { uploads, created, seen } = setup();
    const entry = await uploads.add(FILE, 'evidence-item');
    const [upload] = created;
    expect(upload.options.endpoint).toBe('/api/v1/uploads');
    expect(upload.options.metadata).toEqual({
      filename: 'statement.txt',
      filetype: 'text/plain',
      category: 'evidence-item',
    });
    expect(upload.options.retryDelays?.length).toBeGreaterThan(3);
    expect(upload.options.removeFingerprintOnSuccess).toBe(true);
    await expect(upload.options.fingerprint!(FILE as never, {})).resolves.toBe(
      fingerprintOf('fr-moj-bepi.central-authority-officer', FILE),
    );
    expect(upload.starts).toBe(1);
    expect(uploads.pending).toBe(true);
    expect(uploads.attachments()).toEqual([]);

    // Every tus request carries the session's CSRF header.
    const headers: Record<string, string> = {};
    await upload.options.onBeforeRequest!({
      setHeader: (name: string, value: string) => (headers[name] = value),
    } as unknown as HttpRequest);
    expect(headers).toEqual({ 'x-csrf-token': 'abc' });

    upload.created('/api/v1/uploads/0f3c9a2b');
    upload.progress(400);
    expect(uploads.list[0]).toMatchObject({ key: entry.key, sent: 400, state: 'uploading' });
    upload.succeed();
    expect(uploads.list[0]).toMatchObject({ sent: 1000, state: 'complete', uploadId: '0f3c9a2b' });
    expect(uploads.pending).toBe(false);
    uploads.setCategory(entry.key, 'identity-document');
    expect(uploads.attachments()).toEqual([
      { uploadId: '0f3c9a2b', category: 'identity-document' },
    ]);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('pauses without ending the upload, and resumes from where the gateway is', async () => {
    const { uploads, created } = setup();
    const entry = await uploads.add(FILE);
    const [upload] = created;
    upload.created('/api/v1/uploads/abc');
    upload.progress(300);
    await uploads.pause(entry.key);
    expect(upload.aborts).toEqual([false]);
    expect(uploads.list[0].state).toBe('paused');
    expect(uploads.pending).toBe(true);
    uploads.resume(entry.key);
    expect(upload.starts).toBe(2);
    expect(uploads.list[0].state).toBe('uploading');
    upload.succeed();
    expect(uploads.attachments()).toEqual([{ uploadId: 'abc', category: 'evidence-item' }]);
    // Neither pause nor resume applies to a complete upload.
    await uploads.pause(entry.key);
    uploads.resume(entry.key);
    expect(upload.aborts).toEqual([false]);
    expect(upload.starts).toBe(2);
  });

  it('continues an unfinished upload of the same file found by its fingerprint', async () => {
    const previous: PreviousUpload = {
      size: 1000,
      metadata: {},
      creationTime: new Date().toISOString(),
      urlStorageKey: 'tus::x',
      uploadUrl: '/api/v1/uploads/earlier',
      parallelUploadUrls: null,
    };
    const { uploads, created } = setup([previous]);
    await uploads.add(FILE);
    expect(created[0].resumedFrom).toBe(previous);
    expect(created[0].starts).toBe(1);
    expect(uploads.list[0].resumed).toBe(true);
    created[0].succeed();
    expect(uploads.attachments()).toEqual([{ uploadId: 'earlier', category: 'evidence-item' }]);
  });

  it('a stopped upload (retries outlasted) resumes when the browser is online again', async () => {
    const { uploads, created } = setup();
    await uploads.add(FILE);
    const [upload] = created;
    upload.created('/api/v1/uploads/cut');
    upload.fail(new Error('tus: failed to upload chunk'));
    expect(uploads.list[0].state).toBe('failed');
    expect(uploads.list[0].error).toBeInstanceOf(Error);
    uploads.resumeFailed();
    expect(upload.starts).toBe(2);
    expect(uploads.list[0]).toMatchObject({ state: 'uploading', error: undefined });
  });

  it('removes a file: an unfinished upload is ended on the gateway, a complete one only dropped', async () => {
    const { uploads, created } = setup();
    const first = await uploads.add(FILE);
    const second = await uploads.add({ ...FILE, name: 'photo.jpg' });
    created[0].created('/api/v1/uploads/one');
    created[1].created('/api/v1/uploads/two');
    created[1].succeed();
    await uploads.remove(first.key);
    expect(created[0].aborts).toEqual([true]);
    expect(uploads.list.map((e) => e.name)).toEqual(['photo.jpg']);
    await uploads.remove(second.key);
    expect(created[1].aborts).toEqual([]);
    expect(uploads.list).toEqual([]);
    expect(uploads.pending).toBe(false);
  });

  it('reads the upload id from the tus URL', () => {
    expect(uploadIdOf('http://127.0.0.1:4331/api/v1/uploads/abc123')).toBe('abc123');
    expect(uploadIdOf('/api/v1/uploads/abc123/')).toBe('abc123');
  });
});
