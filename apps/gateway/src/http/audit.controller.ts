import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { AuditTrail, type AuditEntry, type ChainVerification } from '#libs/audit';
import { NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

class AuditQuery {
  /** Entries after this chain position. */
  @IsOptional() @Matches(/^\d{1,18}$/) after?: string;
  @IsOptional() @IsString() @MaxLength(64) event?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
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
  verify(): Promise<ChainVerification> {
    return this.audit.verify();
  }
}
