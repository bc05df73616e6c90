import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  Authenticate,
  ConsoleSessions,
  isGranted,
  PERMISSIONS,
  type Permission,
} from '#libs/access';
import { ErrorCode, GatewayError } from '#libs/errors';
import { authenticateRequest } from './console-session.js';
import { PEER_KEY, PERMISSION_KEY, PUBLIC_KEY, type AuthenticatedRequest } from './decorators.js';

/**
 * Deny by default: an endpoint is reachable only if it is public (health), peer-signed (the
 * inbound envelope endpoint) or names a permission that one of the caller's roles holds; the caller
 * is a bearer credential or a console session (with its CSRF token on state-changing calls). Refusals
 * name the permission and the roles that hold it; the error filter audits them.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticate: Authenticate,
    private readonly sessions: ConsoleSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Mailbox events arrive from the node's own apps over the internal bus, not from users.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(PEER_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets);
    const { principal, expiresAt } = await authenticateRequest(
      request,
      this.authenticate,
      this.sessions,
    );
    request.principal = principal;
    request.credentialExpiresAt = expiresAt;
    if (!permission || !isGranted(request.principal.roles, permission)) {
      // Audited by the error filter, like every refusal of access.
      throw new GatewayError(
        ErrorCode.PERMISSION_DENIED,
        permission
          ? `${permission} is not granted to your roles (${request.principal.roles.join(', ')})`
          : 'this endpoint is open to no role',
        [
          {
            permission: permission ?? null,
            grantedTo: permission ? [...PERMISSIONS[permission]] : [],
          },
        ],
      );
    }
    return true;
  }
}
