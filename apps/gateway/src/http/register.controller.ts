import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { OutOfScopeError } from '#libs/access';
import { ErrorCode } from '#libs/errors';
import { ProtectedPersonsRegister, type RegisterOfficer, type ReviewRow } from '#libs/safeguards';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { RegisterEntryDto } from './safeguards.dto.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { RegisterEntryCreatedDto, RegisterSizeDto, ReviewDto } from './responses/register.dto.js';

class ReviewQuery {
  @ApiPropertyOptional({ enum: ['pending', 'confirmed', 'cleared'] })
  @IsOptional()
  @IsIn(['pending', 'confirmed', 'cleared'])
  status?: ReviewRow['status'];
}

class ReviewDecisionDto {
  /** Why the hit is (or is not) the protected person: audited, sealed at rest, shown to no sender. */
  @ApiProperty({ minLength: 3, maxLength: 4000 })
  @IsString()
  @MinLength(3)
  @MaxLength(4000)
  reason!: string;
}

const registerOfficer = (officer: OfficerContext): RegisterOfficer => ({
  actor: officer.actor,
  authorityId: officer.scope.authorityId,
});

/**
 * The protected-persons register, for the asylum authority alone: entries (keyed hashes only; an
 * entry belongs to the authority that made it) and the reviews that register hits open.
 */
@ApiTags('register')
@Controller('api/v1/register')
export class RegisterController {
  constructor(private readonly register: ProtectedPersonsRegister) {}

  @Post('entries')
  @HttpCode(201)
  @Requires('register.write')
  @ApiOperation({
    summary:
      'Register a person under protection or with a pending claim (asylum authority). Stored as keyed hashes only.',
  })
  @ApiCreatedResponse({ type: RegisterEntryCreatedDto })
  @ApiErrors({ 400: INVALID_INPUT })
  registerPerson(
    @Body() entry: RegisterEntryDto,
    @Officer() officer: OfficerContext,
  ): Promise<{ entryId: string }> {
    const { shieldFrom, claimPending, ...identifiers } = entry;
    return this.register.register(
      identifiers,
      shieldFrom,
      claimPending ?? false,
      registerOfficer(officer),
    );
  }

  @Delete('entries/:id')
  @HttpCode(204)
  @Requires('register.write')
  @ApiOperation({ summary: "Remove one of your authority's register entries" })
  @ApiNoContentResponse({ description: 'removed' })
  @ApiErrors({ 400: INVALID_INPUT })
  async removePerson(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<void> {
    if (!(await this.register.remove(id, registerOfficer(officer)))) {
      // Another authority's entry answers as a missing one, and the probe is audited.
      throw new OutOfScopeError(ErrorCode.VALIDATION_FAILED, `no register entry ${id}`, [
        { field: 'id' },
      ]);
    }
  }

  @Get()
  @Requires('register.read')
  @ApiOperation({
    summary:
      'How many entries your authority holds in the register. Entries are never listed or exported.',
  })
  @ApiOkResponse({ type: RegisterSizeDto })
  async size(@Officer() officer: OfficerContext): Promise<{ entries: number }> {
    return { entries: await this.register.size(registerOfficer(officer)) };
  }

  @Get('reviews')
  @Requires('register.review')
  @ApiOperation({
    summary:
      "Register hits awaiting (or given) your review: which entry, which requester and case, which States. The sender learns only 'Blocked by H-1'.",
  })
  @ApiOkResponse({ type: [ReviewDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  reviews(@Query() query: ReviewQuery, @Officer() officer: OfficerContext): Promise<ReviewRow[]> {
    return this.register.reviews(registerOfficer(officer), query.status);
  }

  @Post('reviews/:id/confirm')
  @HttpCode(200)
  @Requires('register.review')
  @ApiOperation({ summary: 'Confirm a register hit: the H-1 block stands' })
  @ApiOkResponse({ type: ReviewDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.REVIEW_NOT_FOUND] })
  confirm(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() decision: ReviewDecisionDto,
    @Officer() officer: OfficerContext,
  ): Promise<ReviewRow> {
    return this.decide(id, 'confirmed', decision.reason, officer);
  }

  @Post('reviews/:id/clear')
  @HttpCode(200)
  @Requires('register.review')
  @ApiOperation({
    summary:
      'Clear a register hit for that requester and case (the person named is not the protected person): the message may then be sent',
  })
  @ApiOkResponse({ type: ReviewDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.REVIEW_NOT_FOUND] })
  clear(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() decision: ReviewDecisionDto,
    @Officer() officer: OfficerContext,
  ): Promise<ReviewRow> {
    return this.decide(id, 'cleared', decision.reason, officer);
  }

  private async decide(
    id: string,
    decision: 'confirmed' | 'cleared',
    reason: string,
    officer: OfficerContext,
  ): Promise<ReviewRow> {
    const review = await this.register.decideReview(id, decision, reason, registerOfficer(officer));
    if (!review) {
      throw new OutOfScopeError(
        ErrorCode.REVIEW_NOT_FOUND,
        `no pending review ${id} of your authority's entries`,
        [{ field: 'id' }],
      );
    }
    return review;
  }
}
