import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { DELIVERY_STATES, type DeliveryState } from '#libs/delivery';
import { AUTHORITY_ID_PATTERN } from '#libs/kernel';
import { OUTBOUND_STATUSES } from '#libs/messaging';
import { PageQuery } from './page-query.js';

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATES, description: 'All three when left out' })
  @IsOptional()
  @IsIn(DELIVERY_STATES)
  status?: DeliveryState;

  @ApiPropertyOptional({ description: 'The recipient authority', example: 'NG-MOJ-CA' })
  @IsOptional()
  @Matches(AUTHORITY_ID_PATTERN)
  counterpart?: string;

  @ApiPropertyOptional({ description: 'The `next` of the previous page' })
  @IsOptional()
  @IsUUID()
  after?: string;
}

class PeerReasonDto {
  @ApiProperty({ nullable: true, type: String, example: 'ENVELOPE_DECRYPTION_UNAVAILABLE' })
  code!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 503 }) status!: number | null;
  @ApiProperty({ example: 'peer unreachable: ECONNREFUSED' }) message!: string;
  @ApiProperty({ description: 'The peer refused these bytes for good' }) permanent!: boolean;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

class DeliveryDto {
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty() procedure!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ enum: OUTBOUND_STATUSES }) status!: string;
  @ApiProperty({ enum: DELIVERY_STATES }) state!: DeliveryState;
  @ApiProperty({ description: 'Attempts in the current retry window' }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) retryUntil!: string | null;
  @ApiProperty({ type: PeerReasonDto, nullable: true }) peerReason!: PeerReasonDto | null;
}

class QueueDepthsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() active!: number;
  @ApiProperty() failed!: number;
}

export class DeliveryLogDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) next!: string | null;
  @ApiProperty({
    type: QueueDepthsDto,
    nullable: true,
    description: 'The delivery queue; null while Redis cannot be reached',
  })
  queue!: QueueDepthsDto | null;
}

export class RetryDeliveryResultDto {
  @ApiProperty({ enum: ['requeued', 'already-pending'] }) outcome!: string;
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiPropertyOptional({ description: 'requeued: the status it left' }) previousStatus?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'requeued: the fresh window' })
  retryUntil?: string;
  @ApiPropertyOptional({
    enum: ['added', 'revived', 'promoted', 'present', 'deferred'],
    description: 'requeued: what the queue did (deferred: Redis away, the reconciler adds it)',
  })
  job?: string;
  @ApiPropertyOptional({ description: 'already-pending: its status now' }) status?: string;
}
