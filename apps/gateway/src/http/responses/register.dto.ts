import { ApiProperty } from '@nestjs/swagger';
import type { ReviewRow } from '#libs/safeguards';

export class RegisterEntryCreatedDto {
  @ApiProperty() entryId!: string;
}

export class RegisterSizeDto {
  @ApiProperty({ description: 'entries your authority holds (never listed or exported)' })
  entries!: number;
}

/** A register hit awaiting (or given) review. */
export class ReviewDto implements ReviewRow {
  @ApiProperty() id!: string;
  @ApiProperty() entryId!: string;
  @ApiProperty() owner!: string;
  @ApiProperty() requester!: string;
  @ApiProperty({ type: String, nullable: true }) caseReference!: string | null;
  @ApiProperty({ type: [String] }) recipientStates!: string[];
  @ApiProperty({ enum: ['pending', 'confirmed', 'cleared'] }) status!: ReviewRow['status'];
  // Dates are answered as ISO 8601 strings (JSON).
  @ApiProperty({ type: String, format: 'date-time' }) openedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
}
