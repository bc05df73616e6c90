import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Authenticate, isGranted, PERMISSIONS, type Permission } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import { correlationIdOf } from '../correlation.js';
import { PEER_KEY, PERMISSION_KEY, PUBLIC_KEY, type AuthenticatedRequest } from './decorators.js';

/**
 * Deny by default: an endpoint is reachable only if it is public (health), peer-signed (the
 * inbound envelope endpoint) or names a permission that one of the caller's roles holds. Refusals
 * are audited with the permission and the roles that would hold it.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticate: Authenticate,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Mailbox events arrive from the node's own apps over the internal bus, not from users.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(PEER_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION_KEY, targets);
    const route = (request.route as { path?: string } | undefined)?.path;
    const where = { method: request.method, path: route ?? request.path };
    try {
      request.principal = await this.authenticate.execute(request.headers.authorization);
    } catch (error) {
      if (isGatewayError(error)) await this.refused('anonymous', request, error, where);
      throw error;
    }
    if (!permission || !isGranted(request.principal.roles, permission)) {
      const error = new GatewayError(
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
      await this.refused(
        `${request.principal.username}@${request.principal.authorityId}`,
        request,
        error,
        where,
      );
      throw error;
    }
    return true;
  }

  private refused(
    actor: string,
    request: AuthenticatedRequest,
    error: GatewayError,
    where: { method: string; path: string },
  ): Promise<void> {
    return this.audit.record({
      event: 'access.denied',
      actor,
      correlationId: correlationIdOf(request),
      details: { code: error.code, reason: error.message, ...where, ...(error.details[0] ?? {}) },
    });
  }
}
