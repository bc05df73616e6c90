import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { readBoundedText, ROUTING_HEADERS } from '#libs/envelope';
import {
  Clock,
  NODE_CONFIG,
  NodeIdentity,
  PeerTransport,
  type NodeConfig,
} from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';
import { AuditTrail } from '../audit-trail.js';
import { signHeadStatement, type AuditHeadStatement } from './head-statement.js';
import { WITNESS_PATH, WITNESS_STATEMENT_MEDIA_TYPE } from './witness-protocol.js';
import { witnessPeers } from './witness-peers.js';

export interface PublishedHead {
  seq: string;
  /** The peers that stored (or already held) the statement, and those that did not. */
  accepted: string[];
  failed: Array<{ peer: string; reason: string }>;
}

/**
 * Every `audit.witnessIntervalMs` (GATEWAY_AUDIT_WITNESS_INTERVAL_MS), once per node: chains what
 * is pending, signs the chain's head and sends it to every peer. A peer out of reach misses this
 * head and gets the next one; each head covers all the history before it.
 */
@Injectable()
export class PublishAuditHead implements OnModuleInit {
  private readonly logger = new Logger(PublishAuditHead.name);

  constructor(
    private readonly audit: AuditTrail,
    private readonly tasks: PeriodicTasks,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly transport: PeerTransport,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: 'audit-witness',
      intervalMs: this.config.audit.witnessIntervalMs,
      run: () => this.publish(),
    });
  }

  async publish(): Promise<PublishedHead | undefined> {
    await this.audit.chainPending();
    const head = await this.audit.head();
    if (head.seq === '0') return undefined;
    const now = this.clock.now();
    const statement: AuditHeadStatement = {
      type: 'audit-head',
      formatVersion: 1,
      authority: this.identity.authorityId,
      seq: head.seq,
      headHash: head.hash,
      signedAt: now.toISOString(),
    };
    const armored = await signHeadStatement(statement, this.identity.signingKey(now).key);
    const published: PublishedHead = { seq: head.seq, accepted: [], failed: [] };
    await Promise.all(
      witnessPeers(this.directory, this.identity).map(async (peer) => {
        const reason = await this.send(peer, armored);
        if (reason) published.failed.push({ peer: peer.id, reason });
        else published.accepted.push(peer.id);
      }),
    );
    if (published.failed.length > 0) {
      this.logger.warn(published, 'audit head not witnessed by every peer');
    } else {
      this.logger.debug(published, 'audit head witnessed');
    }
    return published;
  }

  /** Posts the statement; the reason it was not accepted, if it was not. */
  private async send(peer: Authority, armored: string): Promise<string | undefined> {
    try {
      const response = await this.transport.post(
        new URL(WITNESS_PATH, peer.endpoint),
        {
          headers: {
            'content-type': WITNESS_STATEMENT_MEDIA_TYPE,
            [ROUTING_HEADERS.sender]: this.identity.authorityId,
            [ROUTING_HEADERS.recipient]: peer.id,
          },
          body: armored,
          signal: AbortSignal.timeout(this.config.delivery.requestTimeoutMs),
        },
        peer.tlsPins,
      );
      const text = await readBoundedText(response, 4096).catch(() => undefined);
      return response.status === 200
        ? undefined
        : `answered ${response.status} ${text ?? ''}`.trim();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return `unreachable (${cause ?? (error as Error).name})`;
    }
  }
}
