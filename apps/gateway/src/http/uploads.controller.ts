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
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isGranted } from '#libs/access';
import { UploadsService, type FileActor, type UploadRecord } from '#libs/files';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { serveFile } from './file-response.js';

function actorOf(officer: OfficerContext): FileActor {
  return {
    actor: officer.actor,
    authorityId: officer.principal.authorityId,
    supervisor: isGranted(officer.principal.roles, 'policy.acknowledge-warnings'),
    correlationId: officer.correlationId,
  };
}

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
  discover(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Post()
  @Requires('files.upload')
  @ApiOperation({
    summary: 'tus: create an upload (Upload-Length; Upload-Metadata filename, filetype, category)',
  })
  create(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Head(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: the offset to resume from' })
  offset(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Patch(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: append bytes at Upload-Offset (application/offset+octet-stream)' })
  append(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Delete(':id')
  @Requires('files.upload')
  @ApiOperation({ summary: 'tus: end an unfinished upload (its bytes are deleted)' })
  terminate(@Req() req: Request, @Res() res: Response, @Officer() officer: OfficerContext) {
    return this.tus(req, res, officer);
  }

  @Get(':id')
  @Requires('files.read')
  @ApiOperation({ summary: 'An upload: name, media type, category, size, SHA-256, state' })
  describe(@Param('id') id: string, @Officer() officer: OfficerContext): Promise<UploadRecord> {
    return this.uploads.describe(id, actorOf(officer));
  }

  @Get(':id/content')
  @Requires('files.read')
  @ApiOperation({ summary: 'The decrypted content, whole or one byte range (Range); audited' })
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
