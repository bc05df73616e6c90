import { Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ENVELOPE_MEDIA_TYPE, RECEIPT_MEDIA_TYPE, ROUTING_HEADERS } from '#libs/envelope';
import { AnswerRegisterCheck, REGISTER_CHECK_PATH } from '#libs/safeguards';
import { PeerSigned } from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, PEER_REFUSALS } from './api-docs.js';

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
  @ApiConsumes(ENVELOPE_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string' }, description: 'the signed, sealed question' })
  @ApiOkResponse({
    description: 'the answer, signed and sealed to the asking node (OpenPGP armor)',
    content: { [RECEIPT_MEDIA_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiErrors({
    ...PEER_REFUSALS,
    403: [...PEER_REFUSALS[403], ErrorCode.REGISTER_CHECK_REFUSED],
    409: [ErrorCode.REGISTER_KEY_VERSION_MISMATCH],
    422: [...PEER_REFUSALS[422], ErrorCode.RECIPIENT_KEY_UNAVAILABLE],
    503: [ErrorCode.REGISTER_UNAVAILABLE],
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
