import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PERMISSIONS, ROLES, type Permission, type Role } from '#libs/access';
import { PROCEDURES } from '#libs/envelope';
import type {
  AccessScope,
  AccountChange,
  ApiKeyRevocation,
  ApiKeyView,
  Principal,
  RoleGrant,
} from '#libs/access';
import type { SessionView } from '../session.controller.js';

export class PrincipalDto implements Principal {
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ['person', 'service'] }) kind!: 'person' | 'service';
  @ApiProperty() authorityId!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ type: [String], description: 'case references of the JITs of a liaison officer' })
  jits!: string[];
}

export class AccessScopeDto implements AccessScope {
  @ApiProperty() authorityId!: string;
  @ApiProperty({ enum: PROCEDURES, isArray: true }) procedures!: AccessScope['procedures'];
  @ApiProperty({ type: [String] }) jitCases!: string[];
}

export class MeDto extends PrincipalDto {
  @ApiProperty({ enum: Object.keys(PERMISSIONS), isArray: true }) permissions!: Permission[];
  @ApiProperty({ type: AccessScopeDto }) scope!: AccessScopeDto;
}

export class PendingGrantDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
}

/** An account as it stands after a request: its active roles and what awaits approval. */
export class AccountChangeDto extends PrincipalDto implements AccountChange {
  @ApiPropertyOptional({
    type: PendingGrantDto,
    description: "awaits a second administrator's approval",
  })
  pendingGrant?: PendingGrantDto;
}

export class RoleGrantDto implements RoleGrant {
  @ApiProperty() id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() authorityId!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ enum: ['pending', 'approved', 'refused'] }) status!: RoleGrant['status'];
  @ApiProperty() requestedBy!: string;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
}

export class IssuedApiKeyDto {
  @ApiProperty({ description: 'names the key in the list and to revoke it' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty({ description: 'shown once: only its hash is kept' }) apiKey!: string;
}

/** A service account's API key as listed: never the key, never its hash. */
export class ApiKeyDto implements ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() label!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'last request with the key, to within a minute',
  })
  lastUsedAt!: string | null;
}

export class ApiKeyRevocationDto extends ApiKeyDto implements ApiKeyRevocation {
  @ApiProperty({
    enum: ['revoked', 'already-revoked'],
    description: 'already-revoked: it was revoked before (revokedAt says when); nothing changed',
  })
  outcome!: 'revoked' | 'already-revoked';
}

export class DisabledAccountDto {
  @ApiProperty() username!: string;
  @ApiProperty({ enum: [true] }) disabled!: true;
}

export class SessionViewDto implements SessionView {
  @ApiProperty() username!: string;
  @ApiProperty() authorityId!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'when the session or credential lapses; null for an API key',
  })
  expiresAt!: string | null;
  @ApiProperty({ description: 'whether this call came with a console session cookie' })
  console!: boolean;
}

export class OpenedSessionDto extends SessionViewDto {
  @ApiProperty({ description: 'echo it in X-CSRF-Token on every state-changing call' })
  csrfToken!: string;
}
