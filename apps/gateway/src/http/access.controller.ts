import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  isGranted,
  NewAccountSchema,
  PERMISSIONS,
  RoleGrants,
  ROLES,
  scopeOf,
  UserAccounts,
  type AccessScope,
  type AccountChange,
  type ApiKeyRevocation,
  type ApiKeyView,
  type Permission,
  type Principal,
  type Role,
  type RoleGrant,
} from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import {
  AccountChangeDto,
  ApiKeyDto,
  ApiKeyRevocationDto,
  DisabledAccountDto,
  IssuedApiKeyDto,
  MeDto,
  PrincipalDto,
  RoleGrantDto,
} from './responses/access.dto.js';

class NewApiKeyDto {
  @ApiProperty({ maxLength: 100 }) @IsString() @MaxLength(100) label!: string;
}

class RolesDto {
  /** The account's roles from now on: removals apply at once, additions may await approval. */
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

class RoleGrantQuery {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'refused'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'refused'])
  status?: RoleGrant['status'];
}

class RefusalDto {
  @ApiProperty({ minLength: 3, maxLength: 1000 })
  @IsString()
  @MinLength(3)
  @MaxLength(1000)
  reason!: string;
}

@ApiTags('access')
@Controller('api/v1')
export class AccessController {
  constructor(
    private readonly accounts: UserAccounts,
    private readonly grants: RoleGrants,
    private readonly identity: NodeIdentity,
  ) {}

  @Get('me')
  @Requires('session.read')
  @ApiOperation({ summary: 'Who you are here: authority, roles, permissions and what you may see' })
  @ApiOkResponse({ type: MeDto })
  me(@Officer() officer: OfficerContext): Principal & {
    permissions: Permission[];
    scope: AccessScope;
  } {
    const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((p) =>
      isGranted(officer.principal.roles, p),
    );
    return { ...officer.principal, permissions, scope: scopeOf(officer.principal) };
  }

  @Get('users')
  @Requires('users.manage')
  @ApiOperation({ summary: "Active accounts of the administrator's authority" })
  @ApiOkResponse({ type: [PrincipalDto] })
  users(@Officer() officer: OfficerContext): Promise<Principal[]> {
    return this.accounts.list([officer.principal.authorityId]);
  }

  @Post('users')
  @HttpCode(201)
  @Requires('users.manage')
  @ApiOperation({
    summary:
      "Create an account in the administrator's authority; roles other than monitor await a second administrator's approval (pendingGrant)",
  })
  @ApiCreatedResponse({ type: AccountChangeDto })
  @ApiErrors({
    400: INVALID_INPUT,
    403: [ErrorCode.PERMISSION_DENIED, ErrorCode.SEPARATION_OF_DUTIES],
    409: [ErrorCode.USER_EXISTS],
  })
  async create(
    @Body() user: NewAccountSchema,
    @Officer() officer: OfficerContext,
  ): Promise<AccountChange> {
    // Administrators manage configuration of their own authority, never another's users.
    if (
      user.authorityId !== officer.principal.authorityId ||
      !this.identity.hosts(user.authorityId)
    ) {
      throw new GatewayError(
        ErrorCode.PERMISSION_DENIED,
        'accounts are created in your own authority',
        [{ field: 'authorityId' }],
      );
    }
    return this.grants.createAccount(
      {
        username: user.username,
        kind: user.kind,
        authorityId: user.authorityId,
        roles: user.roles,
        jits: user.jits ?? [],
        ...(user.externalIdentity && {
          externalIdentity: {
            issuer: user.externalIdentity.issuer,
            subject: user.externalIdentity.subject,
          },
        }),
      },
      officer.principal,
    );
  }

  @Post('users/:username/roles')
  @HttpCode(200)
  @Requires('users.manage')
  @ApiOperation({
    summary:
      "Set an account's roles: removals apply at once, roles other than monitor await a second administrator's approval",
  })
  @ApiOkResponse({ type: AccountChangeDto })
  @ApiErrors({ 400: INVALID_INPUT, 403: [ErrorCode.SEPARATION_OF_DUTIES] })
  setRoles(
    @Param('username') username: string,
    @Body() body: RolesDto,
    @Officer() officer: OfficerContext,
  ): Promise<AccountChange> {
    return this.grants.changeRoles(username, body.roles, officer.principal);
  }

  @Get('role-grants')
  @Requires('users.manage')
  @ApiOperation({ summary: "Role grants of the administrator's authority (?status=pending)" })
  @ApiOkResponse({ type: [RoleGrantDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  roleGrants(
    @Query() query: RoleGrantQuery,
    @Officer() officer: OfficerContext,
  ): Promise<RoleGrant[]> {
    return this.grants.list(officer.principal.authorityId, query.status);
  }

  @Post('role-grants/:id/approve')
  @HttpCode(200)
  @Requires('role-grants.decide')
  @ApiOperation({
    summary:
      "Approve another administrator's pending role grant (never your own request, never for your own account)",
  })
  @ApiOkResponse({ type: RoleGrantDto })
  @ApiErrors({
    400: INVALID_INPUT,
    403: [ErrorCode.SEPARATION_OF_DUTIES],
    404: [ErrorCode.ROLE_GRANT_NOT_FOUND],
  })
  approve(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<RoleGrant> {
    return this.grants.approve(id, officer.principal);
  }

  @Post('role-grants/:id/refuse')
  @HttpCode(200)
  @Requires('role-grants.decide')
  @ApiOperation({ summary: "Refuse another administrator's pending role grant, with the reason" })
  @ApiOkResponse({ type: RoleGrantDto })
  @ApiErrors({
    400: INVALID_INPUT,
    403: [ErrorCode.SEPARATION_OF_DUTIES],
    404: [ErrorCode.ROLE_GRANT_NOT_FOUND],
  })
  refuse(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RefusalDto,
    @Officer() officer: OfficerContext,
  ): Promise<RoleGrant> {
    return this.grants.refuse(id, officer.principal, body.reason);
  }

  @Post('users/:username/api-keys')
  @HttpCode(201)
  @Requires('users.manage')
  @ApiOperation({
    summary: 'Issue an API key for a service account (shown once; only its hash is kept)',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  @ApiErrors({ 400: INVALID_INPUT })
  async apiKey(
    @Param('username') username: string,
    @Body() body: NewApiKeyDto,
    @Officer() officer: OfficerContext,
  ): Promise<{ id: string; username: string; apiKey: string }> {
    await this.ownAccount(username, officer);
    const { id, key } = await this.accounts.issueApiKey(username, body.label, officer.actor);
    return { id, username, apiKey: key };
  }

  @Get('api-keys')
  @Requires('users.manage')
  @ApiOperation({
    summary:
      "API keys of the administrator's authority's accounts, revoked ones included (never the key or its hash)",
  })
  @ApiOkResponse({ type: [ApiKeyDto] })
  apiKeys(@Officer() officer: OfficerContext): Promise<ApiKeyView[]> {
    return this.accounts.listApiKeys(officer.principal.authorityId);
  }

  @Post('api-keys/:id/revoke')
  @HttpCode(200)
  @Requires('users.manage')
  @ApiOperation({
    summary:
      'Revoke an API key at once (audited); revoking it again answers 200 with outcome already-revoked',
  })
  @ApiOkResponse({ type: ApiKeyRevocationDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.API_KEY_NOT_FOUND] })
  revokeApiKey(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<ApiKeyRevocation> {
    return this.accounts.revokeApiKey(id, officer.principal.authorityId, officer.actor);
  }

  @Post('users/:username/disable')
  @HttpCode(200)
  @Requires('users.manage')
  @ApiOperation({ summary: 'Disable an account: its tokens and API keys stop working at once' })
  @ApiOkResponse({ type: DisabledAccountDto })
  @ApiErrors({ 400: INVALID_INPUT })
  async disable(
    @Param('username') username: string,
    @Officer() officer: OfficerContext,
  ): Promise<{ username: string; disabled: true }> {
    await this.ownAccount(username, officer);
    await this.accounts.disable(username, officer.actor);
    return { username, disabled: true };
  }

  private async ownAccount(username: string, officer: OfficerContext): Promise<void> {
    const account = await this.accounts.active(username);
    if (!account || account.authorityId !== officer.principal.authorityId) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `no active account ${username} in your authority`,
        [{ field: 'username' }],
      );
    }
  }
}
