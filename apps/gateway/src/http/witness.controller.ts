import { Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  AnswerWitnessQuery,
  ReceiveHeadStatement,
  WITNESS_HEADS_PATH,
  WITNESS_PATH,
  WITNESS_STATEMENT_MEDIA_TYPE,
} from '#libs/audit';
import { ENVELOPE_MEDIA_TYPE, RECEIPT_MEDIA_TYPE, ROUTING_HEADERS } from '#libs/envelope';
import { PeerSigned } from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, PEER_REFUSALS } from './api-docs.js';
import { WitnessStoredDto } from './responses/peer.dto.js';

/**
 * The witness endpoints (README, "Peers witness the audit trail"): peers send the signed heads of
 * their audit chains, and ask which of theirs this node holds. Authenticated by the signature and
 * the directory, not by users; the body is read raw, at most MAX_WITNESS_REQUEST_BYTES (main.ts).
 */
@ApiTags('peer')
@PeerSigned()
@Controller()
export class WitnessController {
  constructor(
    private readonly receive: ReceiveHeadStatement,
    private readonly answer: AnswerWitnessQuery,
  ) {}

  @Post(WITNESS_PATH)
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Keep a peer's cleartext-signed audit chain head; the same statement again is kept once",
  })
  @ApiConsumes(WITNESS_STATEMENT_MEDIA_TYPE)
  @ApiBody({
    schema: { type: 'string' },
    description: "the peer's cleartext-signed head statement",
  })
  @ApiOkResponse({ type: WitnessStoredDto })
  @ApiErrors(PEER_REFUSALS)
  statement(@Req() request: Request): Promise<{ stored: boolean }> {
    return this.receive.execute(rawBody(request), routingOf(request), contextOf(request));
  }

  @Post(WITNESS_HEADS_PATH)
  @HttpCode(200)
  @Header('content-type', RECEIPT_MEDIA_TYPE)
  @ApiOperation({
    summary:
      "A peer's sealed query: answers, sealed to it, the heads of its audit chain this node holds",
  })
  @ApiConsumes(ENVELOPE_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string' }, description: 'the signed, sealed query' })
  @ApiOkResponse({
    description: 'the heads this node holds, signed and sealed to the asking node (OpenPGP armor)',
    content: { [RECEIPT_MEDIA_TYPE]: { schema: { type: 'string' } } },
  })
  @ApiErrors({
    ...PEER_REFUSALS,
    422: [...PEER_REFUSALS[422], ErrorCode.RECIPIENT_KEY_UNAVAILABLE],
  })
  heads(@Req() request: Request): Promise<string> {
    return this.answer.execute(rawBody(request), routingOf(request), contextOf(request));
  }
}

function rawBody(request: Request): Buffer {
  const body: unknown = request.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

function routingOf(request: Request) {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { sender: header(ROUTING_HEADERS.sender), recipient: header(ROUTING_HEADERS.recipient) };
}

function contextOf(request: Request) {
  return { correlationId: correlationIdOf(request), remoteAddress: clientAddressOf(request) };
}
