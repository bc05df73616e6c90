import { Readable } from 'node:stream';
import {
  Controller,
  Delete,
  Get,
  Head,
  Options,
  Param,
  Patch,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isGranted } from '#libs/access';
import { UploadsService, type FileActor, type UploadRecord } from '#libs/files';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { serveFile } from './file-response.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, ApiFileResponse } from './api-docs.js';
import { UploadRecordDto } from './responses/operations.dto.js';

function actorOf(officer: OfficerContext): FileActor {
  return {
    actor: officer.actor,
    authorityId: officer.principal.authorityId,
    supervisor: isGranted(officer.principal.roles, 'policy.acknowledge-warnings'),
    correlationId: officer.correlationId,
  };
}

/** An upload id that names no upload of the caller's, or one past its expiry. */
const UNKNOWN_UPLOAD = {
  404: [ErrorCode.UPLOAD_NOT_FOUND],
  410: [ErrorCode.UPLOAD_EXPIRED],
};

/**
 * Evidence files: resumable uploads with the tus protocol (POST creates, HEAD tells the offset,
 * PATCH appends, DELETE ends an unfinished upload), the upload's metadata, and its content with
 * Range support. Every call is authenticated and checked against the permission table; the tus
 * requests are answered by @tus/server over a store that encrypts at rest.
 */
@ApiTags('uploads')
@Controller('api/v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Options()
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: the protocol version, extensions and size limit' })
  @ApiNoContentResponse({
    description: 'what this node supports',
    headers: {
      'Tus-Version': { schema: { type: 'string' } },
      'Tus-Extension': { schema: { type: 'string' } },
      'Tus-Max-Size': { schema: { type: 'string' } },
    },
  })
  discover(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Post()
  @Requires('files.upload')
  @ApiOperation({
    summary: 'tus: create an upload (Upload-Length; Upload-Metadata filename, filetype, category)',
  })
  @ApiCreatedResponse({
    description: 'the upload is created at Location; its bytes follow with PATCH',
    headers: {
      Location: { schema: { type: 'string' } },
      'Upload-Offset': { schema: { type: 'string' } },
    },
  })
  @ApiErrors({
    400: [ErrorCode.UPLOAD_METADATA_INVALID, ErrorCode.UPLOAD_PROTOCOL_ERROR],
    413: [ErrorCode.UPLOAD_TOO_LARGE, ErrorCode.QUOTA_EXCEEDED],
    507: [ErrorCode.STORAGE_FULL],
  })
  create(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Head(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: the offset to resume from' })
  @ApiOkResponse({
    description: 'the offset to resume from (no body)',
    headers: {
      'Upload-Offset': { schema: { type: 'string' } },
      'Upload-Length': { schema: { type: 'string' } },
    },
  })
  @ApiErrors(UNKNOWN_UPLOAD)
  offset(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Patch(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: append bytes at Upload-Offset (application/offset+octet-stream)' })
  @ApiNoContentResponse({
    description: 'the bytes are stored',
    headers: { 'Upload-Offset': { schema: { type: 'string' } } },
  })
  @ApiErrors({
    ...UNKNOWN_UPLOAD,
    400: [ErrorCode.UPLOAD_PROTOCOL_ERROR],
    409: [ErrorCode.UPLOAD_OFFSET_CONFLICT],
    413: [ErrorCode.UPLOAD_TOO_LARGE],
    415: [ErrorCode.UPLOAD_PROTOCOL_ERROR],
    507: [ErrorCode.STORAGE_FULL],
  })
  append(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Delete(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: end an unfinished upload (its bytes are deleted)' })
  @ApiNoContentResponse({ description: 'the upload and its bytes are deleted' })
  @ApiErrors(UNKNOWN_UPLOAD)
  terminate(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Get(':id')
  @Requires('files.read')
  @ApiOperation({ summary: 'An upload: name, media type, category, size, SHA-256, state' })
  @ApiOkResponse({ type: UploadRecordDto })
  @ApiErrors({ 404: [ErrorCode.UPLOAD_NOT_FOUND] })
  describe(@Param('id') id: string, @Officer() officer: OfficerContext): Promise<UploadRecord> {
    return this.uploads.describe(id, actorOf(officer));
  }

  @Get(':id/content')
  @Requires('files.read')
  @ApiOperation({ summary: 'The decrypted content, whole or one byte range (Range); audited' })
  @ApiFileResponse('the content, decrypted')
  @ApiErrors({
    ...UNKNOWN_UPLOAD,
    409: [ErrorCode.UPLOAD_INCOMPLETE],
    416: [ErrorCode.RANGE_NOT_SATISFIABLE],
  })
  async content(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Officer() officer: OfficerContext,
  ): Promise<void> {
    const viewer = actorOf(officer);
    const { record, reader } = await this.uploads.openStored(id, viewer);
    await serveFile(req, res, { ...record, sha256: record.sha256 ?? '' }, reader, (served) =>
      this.uploads.recordRetrieval(record, viewer, served),
    );
  }

  private async tus(req: Request, res: Response, officer: OfficerContext): Promise<void> {
    const bodied = req.method === 'POST' || req.method === 'PATCH';
    const request = new Request(`http://${req.headers.host ?? 'gateway'}${req.originalUrl}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
      ),
      body: bodied ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
      duplex: 'half',
    } as RequestInit);
    const response = await this.uploads.handle(request, actorOf(officer));
    res.status(response.status);
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(Buffer.from(await response.arrayBuffer()));
  }
}
