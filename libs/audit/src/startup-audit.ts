import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthorityDirectory } from '#libs/directory';
import { Clock, NodeIdentity } from '#libs/node-config';
import { AuditTrail } from './audit-trail.js';

export const AUDIT_COMPONENT = Symbol('AUDIT_COMPONENT');

/** Records, for each process, the configuration and key it started with. */
@Injectable()
export class StartupAudit implements OnApplicationBootstrap {
  constructor(
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    @Inject(AUDIT_COMPONENT) private readonly component: string,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.audit.record({
      event: 'configuration.loaded',
      actor: 'system',
      details: {
        component: this.component,
        authority: this.identity.authorityId,
        directoryDigest: this.directory.digest,
        // A signed directory: when it was issued and which directory authority key signed it.
        directoryIssuedAt: this.directory.version?.issuedAt.toISOString() ?? null,
        directorySigner: this.directory.version?.signer ?? null,
        authorities: this.directory.all().map((authority) => authority.id),
      },
    });
    await this.audit.record({
      event: 'key.loaded',
      actor: 'system',
      details: {
        component: this.component,
        authority: this.identity.authorityId,
        fingerprint: this.identity.signingKey(this.clock.now()).fingerprint,
        held: this.identity.keys.fingerprints,
      },
    });
  }
}
