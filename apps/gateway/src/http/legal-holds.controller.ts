import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { LegalHolds, type HoldTarget, type LegalHoldView } from '#libs/erasure';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

class LegalHoldReasonDto {
  @ApiProperty({ description: 'Why (kept sealed; not in the audit trail)', maxLength: 2000 })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason!: string;
}

class LegalHoldDto implements LegalHoldView {
  @ApiProperty() id!: string;
  @ApiProperty() authority!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) requestId!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) caseReference!: string | null;
  @ApiProperty() reason!: string;
  @ApiProperty() setBy!: string;
  @ApiProperty() setAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) releasedBy!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) releasedAt!: string | null;
}

const uuid = new ParseUUIDPipe({ version: '7' });

/**
 * Legal holds (README, Retention): a case or request under a hold is never erased, whatever its
 * retention profile says. Supervisors only; setting and releasing are audited
 * (`retention.hold-set`, `retention.hold-released`), the reason kept sealed.
 */
@ApiTags('retention')
@Controller('api/v1')
export class LegalHoldsController {
  constructor(private readonly holds: LegalHolds) {}

  @Put('requests/:id/legal-hold')
  @Requires('retention.hold')
  @ApiOperation({ summary: 'Put a request under legal hold: its content is kept (idempotent)' })
  @ApiOkResponse({ type: LegalHoldDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.REQUEST_NOT_FOUND] })
  holdRequest(
    @Param('id', uuid) id: string,
    @Body() body: LegalHoldReasonDto,
    @Officer() officer: OfficerContext,
  ): Promise<LegalHoldView> {
    return this.holds.set({ requestId: id }, body.reason, officer);
  }

  @Post('requests/:id/legal-hold/release')
  @HttpCode(200)
  @Requires('retention.hold')
  @ApiOperation({
    summary: 'Release the legal hold of a request: its retention profile applies again',
  })
  @ApiOkResponse({ type: LegalHoldDto })
  @ApiErrors({
    400: INVALID_INPUT,
    404: [ErrorCode.REQUEST_NOT_FOUND, ErrorCode.LEGAL_HOLD_NOT_FOUND],
  })
  releaseRequest(
    @Param('id', uuid) id: string,
    @Body() body: LegalHoldReasonDto,
    @Officer() officer: OfficerContext,
  ): Promise<LegalHoldView> {
    return this.holds.release({ requestId: id }, body.reason, officer);
  }

  @Put('cases/:reference/legal-hold')
  @Requires('retention.hold')
  @ApiOperation({ summary: 'Put every request of a case under legal hold (idempotent)' })
  @ApiOkResponse({ type: LegalHoldDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.CASE_NOT_FOUND] })
  holdCase(
    @Param('reference') reference: string,
    @Body() body: LegalHoldReasonDto,
    @Officer() officer: OfficerContext,
  ): Promise<LegalHoldView> {
    return this.holds.set(caseTarget(reference), body.reason, officer);
  }

  @Post('cases/:reference/legal-hold/release')
  @HttpCode(200)
  @Requires('retention.hold')
  @ApiOperation({ summary: 'Release the legal hold of a case' })
  @ApiOkResponse({ type: LegalHoldDto })
  @ApiErrors({
    400: INVALID_INPUT,
    404: [ErrorCode.CASE_NOT_FOUND, ErrorCode.LEGAL_HOLD_NOT_FOUND],
  })
  releaseCase(
    @Param('reference') reference: string,
    @Body() body: LegalHoldReasonDto,
    @Officer() officer: OfficerContext,
  ): Promise<LegalHoldView> {
    return this.holds.release(caseTarget(reference), body.reason, officer);
  }
}

function caseTarget(reference: string): HoldTarget {
  return { caseReference: reference };
}
