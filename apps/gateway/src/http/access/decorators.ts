import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorCode } from '#libs/errors';
import {
  actorOf,
  evidenceScopeOf,
  isGranted,
  scopeOf,
  type AccessScope,
  type Permission,
  type Principal,
} from '#libs/access';
import { ApiErrors } from '../api-docs.js';
import { correlationIdOf } from '../correlation.js';

export const PERMISSION_KEY = 'gateway:permission';
export const PUBLIC_KEY = 'gateway:public';
export const PEER_KEY = 'gateway:peer';

/**
 * The one permission an endpoint needs (see PERMISSIONS); endpoints without it are refused. The
 * OpenAPI document names it (x-permission) with the refusals the access guard and the per-user
 * rate limit answer.
 */
export const Requires = (permission: Permission) =>
  applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    ApiExtension('x-permission', permission),
    ApiErrors({
      401: [ErrorCode.UNAUTHENTICATED],
      403: [ErrorCode.PERMISSION_DENIED, ErrorCode.CSRF_TOKEN_INVALID],
      429: [ErrorCode.RATE_LIMITED],
    }),
  );
/** Open to anyone: liveness and readiness only. No credential in the OpenAPI document either. */
export const Public = () =>
  applyDecorators(
    SetMetadata(PUBLIC_KEY, true),
    ApiSecurity({}),
    ApiExtension('x-access', 'public'),
    // The per-address rate limit applies to anonymous calls too.
    ApiErrors({ 429: [ErrorCode.RATE_LIMITED] }),
  );
/** Peers' endpoint: authenticated by the envelope signature and the directory, not by users. */
export const PeerSigned = () =>
  applyDecorators(
    SetMetadata(PEER_KEY, true),
    ApiSecurity({}),
    ApiExtension('x-access', 'peer-signed'),
  );

export type AuthenticatedRequest = Request & {
  principal?: Principal;
  credentialExpiresAt?: Date;
  /** The console session cookie the request was authenticated with, if any. */
  consoleSession?: string;
};

/** Who acts in a request, what they may see, and the correlation id: what every use-case needs. */
export interface OfficerContext {
  principal: Principal;
  /** When the credential of this request lapses; undefined for an API key. */
  credentialExpiresAt?: Date;
  actor: string;
  correlationId: string;
  scope: AccessScope;
  mayAcknowledgeWarnings: boolean;
}

export function officerContextOf(request: AuthenticatedRequest): OfficerContext {
  const principal = request.principal;
  // The access guard runs before every handler that asks for an officer.
  if (!principal) throw new Error('no authenticated principal on this request');
  return {
    principal,
    credentialExpiresAt: request.credentialExpiresAt,
    actor: actorOf(principal),
    correlationId: correlationIdOf(request),
    scope: scopeOf(principal),
    mayAcknowledgeWarnings: isGranted(principal.roles, 'policy.acknowledge-warnings'),
  };
}

export const Officer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OfficerContext =>
    officerContextOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);

/** The officer, with the wider evidence scope of an auditor (bundles never hold payloads). */
export const EvidenceOfficer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OfficerContext => {
    const officer = officerContextOf(context.switchToHttp().getRequest<AuthenticatedRequest>());
    return { ...officer, scope: evidenceScopeOf(officer.principal) };
  },
);
