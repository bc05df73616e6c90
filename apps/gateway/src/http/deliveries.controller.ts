import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ListDeliveries,
  RetryDelivery,
  type DeliveryLog,
  type RetryDeliveryResult,
} from '#libs/delivery';
import { ErrorCode } from '#libs/errors';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { DeliveryLogDto, ListDeliveriesQuery, RetryDeliveryResultDto } from './deliveries.dto.js';
import { PageQuery } from './page-query.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';

/**
 * The delivery view (after Domibus's message log) and "retry delivery": the authority's outgoing
 * messages not delivered, the peer's last reason, the queue's depths. Routing facts only: no body,
 * no persons, no case reference (administrators see no case content, domain.md section 1).
 */
const UNAVAILABLE = [ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.DATABASE_READ_ONLY];

@ApiTags('deliveries')
@Controller('api/v1/deliveries')
export class DeliveriesController {
  constructor(
    private readonly list: ListDeliveries,
    private readonly retryDelivery: RetryDelivery,
  ) {}

  @Get()
  @Requires('deliveries.read')
  @ApiOperation({
    summary:
      'Your authority’s outgoing messages not delivered (failed, retrying, queued), newest first, with the peer’s last reason and the delivery queue’s depths',
  })
  @ApiOkResponse({ type: DeliveryLogDto })
  @ApiErrors({ 400: INVALID_INPUT, 503: UNAVAILABLE })
  index(
    @Query() query: ListDeliveriesQuery,
    @Officer() officer: OfficerContext,
  ): Promise<DeliveryLog> {
    return this.list.execute({
      authorityId: officer.principal.authorityId,
      state: query.status,
      counterpart: query.counterpart,
      limit: PageQuery.limitOf(query),
      after: query.after,
    });
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Requires('deliveries.retry')
  @ApiOperation({
    summary:
      'Put a failed message (or one waiting out its backoff) back on the delivery queue now, with a fresh retry window; audited (delivery.retry-requested). Idempotent: a message already queued answers already-pending.',
  })
  @ApiOkResponse({ type: RetryDeliveryResultDto })
  @ApiErrors({
    400: INVALID_INPUT,
    // Another authority's message is answered as none at all.
    404: [ErrorCode.MESSAGE_NOT_FOUND],
    // A receipt holds it; older than the peers' replay window; a received message.
    409: [
      ErrorCode.DELIVERY_ALREADY_DELIVERED,
      ErrorCode.DELIVERY_RETRY_TOO_LATE,
      ErrorCode.INVALID_STATUS_TRANSITION,
    ],
    503: UNAVAILABLE,
  })
  retry(
    @Param('id', new ParseUUIDPipe()) messageId: string,
    @Officer() officer: OfficerContext,
  ): Promise<RetryDeliveryResult> {
    return this.retryDelivery.execute({
      messageId,
      authorityId: officer.principal.authorityId,
      actor: officer.actor,
      correlationId: officer.correlationId,
    });
  }
}
