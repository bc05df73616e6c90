import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { MemoryLocker, Server, type ServerOptions } from '@tus/server';
import type { Upload } from '@tus/utils';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import { ColumnCipher } from '#libs/persistence';
import { EncryptedFileReader } from '../at-rest/encrypted-file.js';
import { FILE_CATEGORIES, type FileCategory } from '../seal/manifest.js';
import { extractStoredText, type StoredText } from '../text/extract-text.js';
import { EncryptedUploadStore } from './encrypted-upload-store.js';
import { systemFreeSpace, type FilesConfig, type FreeSpace } from './files-config.js';
import { UploadsRepository, type UploadRecord } from './uploads.repository.js';

export const FILES_CONFIG = Symbol('FILES_CONFIG');
export const FREE_SPACE = Symbol('FREE_SPACE');
export const UPLOADS_PATH = '/api/v1/uploads';

/** Who is uploading or reading: what the controller knows of the officer. */
export interface FileActor {
  actor: string;
  authorityId: string;
  /** A supervisor sees every upload of the authority; others their own. */
  supervisor: boolean;
  correlationId: string;
}

interface TusCall {
  officer: FileActor;
  created?: string;
  /** What refused the request: a GatewayError, or an unexpected fault (answered 500). */
  failure?: unknown;
}

const TUS_REFUSALS: Record<number, ErrorCode> = {
  400: ErrorCode.UPLOAD_PROTOCOL_ERROR,
  403: ErrorCode.UPLOAD_PROTOCOL_ERROR,
  404: ErrorCode.UPLOAD_NOT_FOUND,
  409: ErrorCode.UPLOAD_OFFSET_CONFLICT,
  410: ErrorCode.UPLOAD_EXPIRED,
  412: ErrorCode.UPLOAD_PROTOCOL_ERROR,
  413: ErrorCode.UPLOAD_TOO_LARGE,
  501: ErrorCode.UPLOAD_PROTOCOL_ERROR,
};

/**
 * Evidence files as officers upload and read them: the tus protocol (resumable uploads) over a
 * store that encrypts at rest, with a size limit per file, a quota per authority and a free-space
 * reserve checked before a byte is accepted; every refusal audited with its code; uploads not
 * attached to a message in time are deleted by a periodic sweep (audited).
 */
@Injectable()
export class UploadsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Uploads');
  readonly store: EncryptedUploadStore;
  private readonly tus: Server;
  private readonly calls = new WeakMap<Request, TusCall>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(FILES_CONFIG) readonly config: FilesConfig,
    @Inject(FREE_SPACE) private readonly freeSpace: FreeSpace,
    private readonly uploads: UploadsRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly keys: ColumnCipher,
  ) {
    mkdirSync(config.dir, { recursive: true, mode: 0o700 });
    this.store = new EncryptedUploadStore(config.dir, keys, {
      received: (id, bytes) => this.uploads.recordReceived(id, bytes, this.clock.now()),
      completed: (id, sha256) => this.completed(id, sha256),
      describe: (id) => this.describeForStore(id),
    });
    const options: ServerOptions & { datastore: EncryptedUploadStore } = {
      path: UPLOADS_PATH,
      datastore: this.store,
      maxSize: config.maxFileBytes,
      // One process holds an upload's lock: behind several gateway instances, route by upload id.
      locker: new MemoryLocker(),
      relativeLocation: true,
      disableTerminationForFinishedUploads: true,
      namingFunction: () => uuidv7(),
      onUploadCreate: (request, upload) => this.admit(request, upload),
      onIncomingRequest: (request, id) => this.checkOwner(request, id),
      onResponseError: (request, error) => {
        const call = this.calls.get(request);
        if (call) call.failure ??= asGatewayError(error);
        return undefined;
      },
    };
    this.tus = new Server(options);
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: Error) =>
        this.logger.error({ err: error.message }, 'expiry sweep of uploads failed'),
      );
    }, this.config.sweepIntervalMs);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * One tus request (POST, HEAD, PATCH, DELETE, OPTIONS) as a web Request: the answer, or the
   * GatewayError (audited) that refused it.
   */
  async handle(request: Request, officer: FileActor): Promise<Response> {
    const call: TusCall = { officer };
    this.calls.set(request, call);
    const response = await this.tus.handleWeb(request);
    if (call.failure !== undefined) {
      if (call.created) await this.discard(call.created);
      if (call.failure instanceof GatewayError) {
        await this.refused(call.failure, officer, request.method, call.created);
      }
      throw call.failure instanceof Error ? call.failure : new Error('the upload request failed');
    }
    if (request.method === 'DELETE' && response.status === 204) {
      const id = new URL(request.url).pathname.split('/').pop() ?? '';
      await this.uploads.remove(id);
      await this.audit.record({
        event: 'file.upload-terminated',
        actor: officer.actor,
        correlationId: officer.correlationId,
        details: { uploadId: id },
      });
    }
    return response;
  }

  /** An upload's record, if the officer may see it: UPLOAD_NOT_FOUND otherwise (audited). */
  async describe(id: string, viewer: FileActor): Promise<UploadRecord> {
    const record = await this.uploads.find(id);
    if (!record || !visibleTo(record, viewer)) {
      const refusal = new GatewayError(ErrorCode.UPLOAD_NOT_FOUND, `no upload ${id}`, [
        { field: 'id' },
      ]);
      await this.refused(refusal, viewer, 'GET', id);
      throw refusal;
    }
    return record;
  }

  /** Opens a complete upload for reading (a download, sealing, text extraction). */
  async openStored(
    id: string,
    viewer: FileActor,
  ): Promise<{
    record: UploadRecord;
    reader: EncryptedFileReader;
  }> {
    const record = await this.describe(id, viewer);
    return { record, reader: await this.openRecord(record) };
  }

  /** Records a retrieval: who read which bytes of which file (the retrieval evidence). */
  async recordRetrieval(
    record: UploadRecord,
    viewer: FileActor,
    range: { start: number; end: number },
  ): Promise<void> {
    await this.audit.record({
      event: 'file.retrieved',
      actor: viewer.actor,
      messageId: record.messageId,
      correlationId: viewer.correlationId,
      details: {
        uploadId: record.id,
        sha256: record.sha256,
        size: record.size,
        range: `${range.start}-${range.end - 1}`,
        bytes: range.end - range.start,
      },
    });
  }

  /** Attaches a complete upload to a message (for the sending path): once, audited. */
  async attach(id: string, messageId: string, actor: FileActor): Promise<UploadRecord> {
    const record = await this.describe(id, actor);
    if (!(await this.uploads.attach(id, messageId, this.clock.now()))) {
      throw new GatewayError(
        ErrorCode.UPLOAD_NOT_ATTACHABLE,
        `upload ${id} is ${record.state}: only a complete upload can be attached, once`,
        [{ field: 'uploadId', state: record.state }],
      );
    }
    await this.audit.record({
      event: 'file.attached',
      actor: actor.actor,
      messageId,
      correlationId: actor.correlationId,
      details: { uploadId: id, sha256: record.sha256, size: record.size },
    });
    return { ...record, state: 'attached', messageId };
  }

  /** The text of a stored upload for the safeguards' scanners (bounded: see extractStoredText). */
  async text(id: string, viewer: FileActor): Promise<StoredText> {
    const { record, reader } = await this.openStored(id, viewer);
    try {
      return await extractStoredText(reader, record.mediaType);
    } finally {
      await reader.close();
    }
  }

  /** Deletes uploads not attached in time (GATEWAY_FILES_UNATTACHED_TTL_MS); each audited. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.unattachedTtlMs);
    let swept = 0;
    for (;;) {
      const expired = await this.uploads.expireUnattached(cutoff, now);
      for (const record of expired) {
        await this.store.remove(record.id);
        await this.audit.record({
          event: 'file.expired',
          actor: 'system',
          details: {
            uploadId: record.id,
            authority: record.authority,
            uploader: record.uploader,
            state: record.state,
            reason: `not attached to a message within ${this.config.unattachedTtlMs} ms`,
          },
        });
      }
      swept += expired.length;
      if (expired.length === 0) return swept;
    }
  }

  private async openRecord(record: UploadRecord): Promise<EncryptedFileReader> {
    if (record.state === 'expired') {
      throw new GatewayError(ErrorCode.UPLOAD_EXPIRED, `upload ${record.id} has expired`);
    }
    if (record.state === 'uploading') {
      throw new GatewayError(
        ErrorCode.UPLOAD_INCOMPLETE,
        `upload ${record.id} has ${record.received} of its ${record.size} bytes`,
      );
    }
    const reader = await EncryptedFileReader.open(
      this.store.pathOf(record.id),
      record.id,
      this.keys,
    );
    if (reader.length !== record.size) {
      await reader.close();
      throw new GatewayError(
        ErrorCode.STORED_DATA_UNREADABLE,
        `the stored file ${record.id} holds ${reader.length} bytes, not the ${record.size} recorded`,
      );
    }
    return reader;
  }

  /** Checks a new upload before a byte is stored: metadata, size, free space, quota. */
  private async admit(
    request: Request,
    upload: Upload,
  ): Promise<{ metadata?: Upload['metadata'] }> {
    const call = this.calls.get(request);
    if (!call) throw new Error('a tus request outside UploadsService.handle');
    const metadata = upload.metadata ?? {};
    const name = metadata.filename ?? metadata.name;
    const mediaType = metadata.filetype ?? metadata.type;
    const category = metadata.category;
    const invalid = (field: string, message: string) =>
      new GatewayError(ErrorCode.UPLOAD_METADATA_INVALID, message, [
        { field: `Upload-Metadata.${field}` },
      ]);
    if (!name || name.length > 255 || hasControlOrPath(name)) {
      throw invalid('filename', 'filename is required: a name of 1 to 255 characters, no path');
    }
    if (!mediaType || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(mediaType) || mediaType.length > 255) {
      throw invalid('filetype', 'filetype is required: a media type such as application/pdf');
    }
    if (!FILE_CATEGORIES.includes(category as FileCategory)) {
      throw invalid('category', `category is required: one of ${FILE_CATEGORIES.join(', ')}`);
    }
    const size = upload.size;
    if (size === undefined) {
      throw new GatewayError(ErrorCode.UPLOAD_PROTOCOL_ERROR, 'Upload-Length is required');
    }
    if (size > this.config.maxFileBytes) {
      throw new GatewayError(
        ErrorCode.UPLOAD_TOO_LARGE,
        `${size} bytes is over the limit of ${this.config.maxFileBytes} per file`,
        [{ field: 'Upload-Length', limit: this.config.maxFileBytes }],
      );
    }
    const free = await this.freeSpace(this.config.dir);
    if (free < size + this.config.minFreeBytes) {
      throw new GatewayError(
        ErrorCode.STORAGE_FULL,
        `not enough free space to keep ${size} more bytes`,
        [{ field: 'Upload-Length' }],
      );
    }
    const admitted = await this.uploads.createWithinQuota(
      {
        id: upload.id,
        authority: call.officer.authorityId,
        uploader: call.officer.actor,
        name,
        mediaType,
        category: category as FileCategory,
        size,
      },
      this.config.quotaBytes,
      this.clock.now(),
    );
    if (!admitted) {
      throw new GatewayError(
        ErrorCode.QUOTA_EXCEEDED,
        `${call.officer.authorityId} would hold more than its quota of ${this.config.quotaBytes} bytes of uploads`,
        [{ field: 'Upload-Length', quota: this.config.quotaBytes }],
      );
    }
    call.created = upload.id;
    await this.audit.record({
      event: 'file.upload-started',
      actor: call.officer.actor,
      correlationId: call.officer.correlationId,
      details: { uploadId: upload.id, mediaType, category, size },
    });
    return {};
  }

  /** Only the uploader continues, inspects or ends an upload: anyone else is told it is not there. */
  private async checkOwner(request: Request, id: string): Promise<void> {
    // tus asks this of a creation too, with the new id: admit() checks those.
    if (request.method === 'POST') return;
    const call = this.calls.get(request);
    const record = await this.uploads.find(id);
    if (!call || !record || record.uploader !== call.officer.actor) {
      throw new GatewayError(ErrorCode.UPLOAD_NOT_FOUND, `no upload ${id}`, [{ field: 'id' }]);
    }
    if (record.state === 'expired') {
      throw new GatewayError(ErrorCode.UPLOAD_EXPIRED, `upload ${id} has expired`);
    }
  }

  private async describeForStore(
    id: string,
  ): Promise<{ size: number; metadata: Record<string, string> } | undefined> {
    const record = await this.uploads.find(id);
    if (!record) return undefined;
    if (record.state === 'expired') {
      throw new GatewayError(ErrorCode.UPLOAD_EXPIRED, `upload ${id} has expired`);
    }
    return {
      size: record.size,
      metadata: { filename: record.name, filetype: record.mediaType, category: record.category },
    };
  }

  private async completed(id: string, sha256: string): Promise<void> {
    const now = this.clock.now();
    await this.uploads.complete(id, sha256, now);
    const record = await this.uploads.find(id);
    await this.audit.record({
      event: 'file.uploaded',
      actor: record?.uploader ?? 'unknown',
      details: { uploadId: id, sha256, size: record?.size, category: record?.category },
    });
  }

  /** Nothing half-stored: an upload refused while it was being created leaves no row, no file. */
  private async discard(id: string): Promise<void> {
    await this.uploads.remove(id);
    await rm(this.store.pathOf(id), { force: true });
  }

  private async refused(
    error: GatewayError,
    officer: FileActor,
    method: string,
    uploadId?: string,
  ): Promise<void> {
    await this.audit.record({
      event: 'file.upload-refused',
      actor: officer.actor,
      correlationId: officer.correlationId,
      details: {
        code: error.code,
        reason: error.message,
        method,
        ...(uploadId && { uploadId }),
        ...(error.details[0] ?? {}),
      },
    });
  }
}

/** A name with a path separator or a control character (which headers and logs would mangle). */
function hasControlOrPath(name: string): boolean {
  return [...name].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20);
}

function visibleTo(record: UploadRecord, viewer: FileActor): boolean {
  return (
    record.authority === viewer.authorityId &&
    (record.uploader === viewer.actor || viewer.supervisor)
  );
}

function asGatewayError(error: unknown): unknown {
  if (error instanceof GatewayError) return error;
  const tus = error as { status_code?: number; body?: string; message?: string };
  const code = TUS_REFUSALS[tus.status_code ?? 0];
  if (code) return new GatewayError(code, (tus.body ?? 'refused by the tus protocol').trim());
  if ((error as NodeJS.ErrnoException)?.code === 'ENOSPC') {
    return new GatewayError(ErrorCode.STORAGE_FULL, 'no space left where files are kept');
  }
  return error;
}

export { systemFreeSpace };
