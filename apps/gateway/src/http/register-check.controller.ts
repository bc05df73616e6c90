import { Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RECEIPT_MEDIA_TYPE, ROUTING_HEADERS } from '#libs/envelope';
import { AnswerRegisterCheck, REGISTER_CHECK_PATH } from '#libs/safeguards';
import { PeerSigned } from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';

/**
 * The national register's peer endpoint: the other nodes of this State ask whether the persons of
 * an outgoing message are protected. Authenticated by the question's signature and the directory.
 */
@ApiTags('peer')
@PeerSigned()
@Controller()
export class RegisterCheckController {
  constructor(private readonly answer: AnswerRegisterCheck) {}

  @Post(REGISTER_CHECK_PATH)
  @HttpCode(200)
  @Header('content-type', RECEIPT_MEDIA_TYPE)
  @ApiOperation({
    summary:
      'A register check from another node of this State (keyed hashes only); answers with the sealed answer',
  })
  check(@Req() request: Request): Promise<string> {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const body: unknown = request.body;
    return this.answer.execute(
      Buffer.isBuffer(body) ? body : Buffer.alloc(0),
      { sender: header(ROUTING_HEADERS.sender), recipient: header(ROUTING_HEADERS.recipient) },
      { correlationId: correlationIdOf(request), remoteAddress: clientAddressOf(request) },
    );
  }
}
