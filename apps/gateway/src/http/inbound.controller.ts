import { Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { INBOUND_PATH, RECEIPT_MEDIA_TYPE, ROUTING_HEADERS } from '#libs/envelope';
import { ReceiveEnvelope } from '#libs/messaging';
import { PeerSigned } from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';

/** The peer endpoint. Authenticated by the envelope's signature and the directory, not by users. */
@ApiTags('peer')
@PeerSigned()
@Controller()
export class InboundController {
  constructor(private readonly receive: ReceiveEnvelope) {}

  @Post(INBOUND_PATH)
  @HttpCode(200)
  @Header('content-type', RECEIPT_MEDIA_TYPE)
  @ApiOperation({
    summary: 'Receive a signed, encrypted envelope; answers with the signed receipt',
  })
  async envelope(@Req() request: Request): Promise<string> {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const context = {
      correlationId: correlationIdOf(request),
      remoteAddress: clientAddressOf(request),
    };
    const routing = {
      sender: header(ROUTING_HEADERS.sender),
      recipient: header(ROUTING_HEADERS.recipient),
      messageId: header(ROUTING_HEADERS.messageId),
    };
    const body: unknown = request.body;
    // Any other media type leaves no raw body: the use-case rejects (and audits) it as malformed.
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    return (await this.receive.execute(raw, routing, context)).receipt;
  }
}
