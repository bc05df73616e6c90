import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AuditTrail, type AuditEntry, type ChainVerification } from '#libs/audit';
import { NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { AuditEntryDto } from './responses/messages.dto.js';
import { ChainVerificationDto } from './responses/operations.dto.js';

class AuditQuery {
  /** Entries after this chain position. */
  @ApiPropertyOptional({ pattern: '^\\d{1,18}$', description: 'entries after this chain position' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  after?: string;
  @ApiPropertyOptional({ maxLength: 64, example: 'message.rejected' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  event?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** The node's hash-chained audit trail, for auditors: entries carry codes and rule ids, never payloads. */
@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditTrail,
    private readonly identity: NodeIdentity,
  ) {}

  @Get()
  @Requires('audit.read')
  @ApiOperation({ summary: 'Audit entries in chain order, with their hashes' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  entries(@Query() query: AuditQuery, @Officer() officer: OfficerContext): Promise<AuditEntry[]> {
    // The node's own auditors read its whole trail; a hosted authority's, only what concerns it.
    const own = officer.principal.authorityId === this.identity.authorityId;
    return this.audit.entries({
      afterSeq: query.after ?? '0',
      limit: query.limit ?? 100,
      event: query.event,
      authorityId: own ? undefined : officer.principal.authorityId,
    });
  }

  @Get('verification')
  @Requires('audit.read')
  @ApiOperation({ summary: 'Re-compute the chain and name the first broken entry' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(): Promise<ChainVerification> {
    return this.audit.verify();
  }
}
