import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FREE_FORM } from '../api-docs.js';

/** Terminus's health check result: each indicator by name, with its status and figures. */
export class HealthCheckResultDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] }) status!: string;
  @ApiPropertyOptional({ ...FREE_FORM, description: 'the indicators that are up' })
  info?: Record<string, unknown>;
  @ApiPropertyOptional({ ...FREE_FORM, description: 'the indicators that are down' })
  error?: Record<string, unknown>;
  @ApiProperty({ ...FREE_FORM, description: 'every indicator (postgres, redis, key, keyExpiry)' })
  details!: Record<string, unknown>;
}
