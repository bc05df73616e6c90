import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { CookieOptions, Request, Response } from 'express';
import {
  Authenticate,
  ConsoleSessions,
  CSRF_COOKIE,
  isApiKey,
  SESSION_COOKIE,
  type Role,
} from '#libs/access';
import {
  Officer,
  Public,
  Requires,
  type AuthenticatedRequest,
  type OfficerContext,
} from './access/decorators.js';
import { clientAddressOf } from './access/rate-counters.js';
import { correlationIdOf } from './correlation.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { OpenedSessionDto, SessionViewDto } from './responses/access.dto.js';

class SignInDto {
  /** An API key (`gwk_…`) or a bearer token issued by this node (or its identity provider). */
  @ApiProperty({
    minLength: 16,
    maxLength: 4096,
    description: 'an API key (gwk_…) or a bearer token',
  })
  @IsString()
  @MinLength(16)
  @MaxLength(4096)
  credential!: string;
}

export interface SessionView {
  username: string;
  authorityId: string;
  roles: Role[];
  /** When the session (or the bearer credential) lapses; null for an API key used directly. */
  expiresAt: string | null;
  /** Whether this call was authenticated by a console session cookie. */
  console: boolean;
}

/**
 * The officer console's sign-in and sign-out: a credential is presented once and exchanged for a
 * session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS, expiring with the session) and a
 * CSRF token, which the console echoes in X-CSRF-Token on every state-changing call.
 */
@ApiTags('session')
@Controller('api/v1/session')
export class SessionController {
  constructor(
    private readonly authenticate: Authenticate,
    private readonly sessions: ConsoleSessions,
  ) {}

  @Post()
  @HttpCode(201)
  @Public()
  @ApiOperation({
    summary:
      'Console sign-in: an API key or a bearer token of this node exchanged for a session cookie and its CSRF token (audited: session.opened; refusals: access.denied)',
  })
  @ApiCreatedResponse({
    type: OpenedSessionDto,
    description: 'the session cookie and the CSRF token cookie are set (Set-Cookie)',
  })
  @ApiErrors({
    400: INVALID_INPUT,
    401: [ErrorCode.UNAUTHENTICATED],
    429: [ErrorCode.RATE_LIMITED],
  })
  async signIn(
    @Body() body: SignInDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionView & { csrfToken: string }> {
    const credential = body.credential.trim();
    const { principal, expiresAt } = await this.authenticate.execute(`Bearer ${credential}`);
    const opened = await this.sessions.open(principal, expiresAt, {
      credential: isApiKey(credential) ? 'api-key' : 'token',
      correlationId: correlationIdOf(request),
      remoteAddress: clientAddressOf(request),
    });
    const options = cookieOptions(request, opened.expiresAt);
    response.cookie(SESSION_COOKIE, opened.token, { ...options, httpOnly: true });
    // Read by the console's script and echoed in X-CSRF-Token: not HttpOnly, by design.
    response.cookie(CSRF_COOKIE, opened.csrfToken, { ...options, httpOnly: false });
    response.setHeader('Cache-Control', 'no-store');
    return {
      username: principal.username,
      authorityId: principal.authorityId,
      roles: principal.roles,
      expiresAt: opened.expiresAt.toISOString(),
      console: true,
      csrfToken: opened.csrfToken,
    };
  }

  @Get()
  @Requires('session.read')
  @ApiOperation({ summary: 'The current session: who, and until when' })
  @ApiOkResponse({ type: SessionViewDto })
  current(@Officer() officer: OfficerContext, @Req() request: AuthenticatedRequest): SessionView {
    return {
      username: officer.principal.username,
      authorityId: officer.principal.authorityId,
      roles: officer.principal.roles,
      expiresAt: officer.credentialExpiresAt?.toISOString() ?? null,
      console: request.consoleSession !== undefined,
    };
  }

  @Delete()
  @HttpCode(204)
  @Requires('session.read')
  @ApiOperation({
    summary:
      'Sign out: ends the console session of this call and clears its cookies (audited: session.ended); a bearer credential is left as it is',
  })
  @ApiNoContentResponse({ description: 'signed out; the console cookies are cleared' })
  async signOut(
    @Officer() officer: OfficerContext,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    if (request.consoleSession) {
      await this.sessions.end(request.consoleSession, officer.principal, officer.correlationId);
      const options = cookieOptions(request, new Date(0));
      response.cookie(SESSION_COOKIE, '', { ...options, httpOnly: true });
      response.cookie(CSRF_COOKIE, '', { ...options, httpOnly: false });
    }
  }
}

/** SameSite=Strict, the whole origin, Secure whenever the request came over HTTPS. */
function cookieOptions(request: Request, expires: Date): CookieOptions {
  return { sameSite: 'strict', secure: request.secure, path: '/', expires };
}
