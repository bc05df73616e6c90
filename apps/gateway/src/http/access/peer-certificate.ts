import { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { AnonymousRefusals } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { ROUTING_HEADERS } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { certificateMatchesPins } from '#libs/node-config';
import { correlationIdOf } from '../correlation.js';
import { clientAddressOf } from './rate-counters.js';

/**
 * Mutual TLS on the peer endpoints (when the node runs HTTPS with GATEWAY_TLS_CA_FILE): a peer
 * presents a client certificate that the configured CAs vouch for and, when the claimed sender's
 * directory entry pins certificates, one of them is in its chain. Checked before the body is read;
 * refusals are answered with their code and audited like any refusal of an anonymous source.
 */
export function requirePeerCertificate(
  directory: AuthorityDirectory,
  refusals: AnonymousRefusals,
  event: 'message.rejected' | 'register.check-refused' | 'audit.witness-refused',
) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const socket = request.socket;
    // Plain HTTP (a reverse proxy terminates TLS, or a loopback network): nothing to check here.
    if (!(socket instanceof TLSSocket)) return next();
    const claimed = request.headers[ROUTING_HEADERS.sender];
    const sender = typeof claimed === 'string' ? directory.find(claimed) : undefined;
    let refusal: GatewayError | undefined;
    if (!socket.authorized) {
      refusal = new GatewayError(
        ErrorCode.PEER_CERTIFICATE_REQUIRED,
        'the peer endpoints require a client certificate issued by a CA this node trusts',
        [{ reason: String(socket.authorizationError ?? 'no certificate') }],
      );
    } else if (
      sender &&
      sender.tlsPins.length > 0 &&
      !certificateMatchesPins(socket.getPeerCertificate(true), sender.tlsPins)
    ) {
      refusal = new GatewayError(
        ErrorCode.PEER_CERTIFICATE_MISMATCH,
        `the client certificate matches none of ${sender.id}'s directory pins`,
        [{ field: ROUTING_HEADERS.sender }],
      );
    }
    if (!refusal) return next();
    const address = clientAddressOf(request);
    refusals
      .record(
        {
          event,
          actor: 'unauthenticated-peer',
          correlationId: correlationIdOf(request),
          details: {
            code: refusal.code,
            reason: refusal.message,
            claimedSender: typeof claimed === 'string' ? claimed.slice(0, 80) : null,
            remoteAddress: address,
          },
        },
        address,
        refusal.code,
      )
      .then(
        () => next(refusal),
        () => next(refusal),
      );
  };
}
