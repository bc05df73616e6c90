import { Controller, HttpCode, Param, ParseIntPipe, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  CHUNKS_PATH,
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  RECEIPT_MEDIA_TYPE,
  ROUTING_HEADERS,
  type ChunkProgress,
} from '#libs/envelope';
import { InboundChunks, ReceiveEnvelope } from '#libs/messaging';
import { PeerSigned } from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, PEER_REFUSALS } from './api-docs.js';
import { ChunkProgressDto } from './responses/peer.dto.js';

/** The peer endpoints. Authenticated by the envelope's signature and the directory, not by users. */
@ApiTags('peer')
@PeerSigned()
@Controller()
export class InboundController {
  constructor(
    private readonly receive: ReceiveEnvelope,
    private readonly chunks: InboundChunks,
  ) {}

  @Post(INBOUND_PATH)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Receive a signed, encrypted envelope; answers with the signed receipt, or (202) the file chunk expected next',
  })
  @ApiConsumes(ENVELOPE_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'the armored envelope' })
  @ApiOkResponse({
    description: 'the signed receipt (cleartext-signed JSON, OpenPGP armor)',
    content: { [RECEIPT_MEDIA_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiAcceptedResponse({
    type: ChunkProgressDto,
    description: 'the envelope announced files: the chunk expected next',
  })
  @ApiErrors({
    ...PEER_REFUSALS,
    409: [ErrorCode.DUPLICATE_CONFLICT, ErrorCode.PROCEDURE_TRANSITION_REFUSED],
    422: [...PEER_REFUSALS[422], ErrorCode.PAYLOAD_TOO_DEEP, ErrorCode.PAYLOAD_LIMIT_EXCEEDED],
    503: [ErrorCode.ENVELOPE_DECRYPTION_UNAVAILABLE],
  })
  async envelope(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string | ChunkProgress> {
    const body: unknown = request.body;
    // Any other media type leaves no raw body: the use-case rejects (and audits) it as malformed.
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const result = await this.receive.execute(raw, routingOf(request), contextOf(request));
    if ('progress' in result) {
      response.status(202);
      return result.progress;
    }
    response.setHeader('content-type', RECEIPT_MEDIA_TYPE);
    return result.receipt;
  }

  @Put(`${CHUNKS_PATH}/:messageId/attachments/:attachment/chunks/:chunk`)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Receive one sealed chunk of a file the envelope announced; answers the chunk expected next, and the signed receipt with the last',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'one sealed chunk' })
  @ApiOkResponse({ type: ChunkProgressDto })
  @ApiErrors({
    ...PEER_REFUSALS,
    400: [...PEER_REFUSALS[400], ErrorCode.CHUNK_MALFORMED, ErrorCode.CHUNK_DECRYPTION_FAILED],
    403: [...PEER_REFUSALS[403], ErrorCode.CHUNK_SIGNATURE_INVALID],
    404: [ErrorCode.CHUNK_MESSAGE_UNKNOWN],
    409: [ErrorCode.CHUNK_OUT_OF_ORDER, ErrorCode.CHUNK_REPLAYED],
    422: [...PEER_REFUSALS[422], ErrorCode.CHUNK_DIGEST_MISMATCH, ErrorCode.FILE_DIGEST_MISMATCH],
  })
  chunk(
    @Param('messageId') messageId: string,
    @Param('attachment', ParseIntPipe) attachment: number,
    @Param('chunk', ParseIntPipe) chunk: number,
    @Req() request: Request,
  ): Promise<ChunkProgress> {
    return this.chunks.receive(
      { messageId, attachment, chunk },
      routingOf(request),
      request,
      contextOf(request),
    );
  }
}

function routingOf(request: Request) {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    sender: header(ROUTING_HEADERS.sender),
    recipient: header(ROUTING_HEADERS.recipient),
    messageId: header(ROUTING_HEADERS.messageId),
  };
}

function contextOf(request: Request) {
  return { correlationId: correlationIdOf(request), remoteAddress: clientAddressOf(request) };
}
