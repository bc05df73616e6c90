import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import {
  isGranted,
  NewAccountSchema,
  PERMISSIONS,
  scopeOf,
  UserAccounts,
  type AccessScope,
  type Permission,
  type Principal,
} from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

class NewApiKeyDto {
  @IsString() @MaxLength(100) label!: string;
}

@ApiTags('access')
@Controller('api/v1')
export class AccessController {
  constructor(
    private readonly accounts: UserAccounts,
    private readonly identity: NodeIdentity,
  ) {}

  @Get('me')
  @Requires('session.read')
  @ApiOperation({ summary: 'Who you are here: authority, roles, permissions and what you may see' })
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
  users(@Officer() officer: OfficerContext): Promise<Principal[]> {
    return this.accounts.list([officer.principal.authorityId]);
  }

  @Post('users')
  @HttpCode(201)
  @Requires('users.manage')
  @ApiOperation({ summary: "Create an account in the administrator's authority" })
  async create(
    @Body() user: NewAccountSchema,
    @Officer() officer: OfficerContext,
  ): Promise<Principal> {
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
    const [created] = await this.accounts.create(
      [
        {
          username: user.username,
          kind: user.kind,
          authorityId: user.authorityId,
          roles: user.roles,
          jits: user.jits ?? [],
        },
      ],
      officer.actor,
    );
    return created;
  }

  @Post('users/:username/api-keys')
  @HttpCode(201)
  @Requires('users.manage')
  @ApiOperation({
    summary: 'Issue an API key for a service account (shown once; only its hash is kept)',
  })
  async apiKey(
    @Param('username') username: string,
    @Body() body: NewApiKeyDto,
    @Officer() officer: OfficerContext,
  ): Promise<{ username: string; apiKey: string }> {
    await this.ownAccount(username, officer);
    return {
      username,
      apiKey: await this.accounts.issueApiKey(username, body.label, officer.actor),
    };
  }

  @Post('users/:username/disable')
  @HttpCode(200)
  @Requires('users.manage')
  @ApiOperation({ summary: 'Disable an account: its tokens and API keys stop working at once' })
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
