import { Inject, Injectable } from '@nestjs/common';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import {
  Clock,
  NODE_CONFIG,
  NodeIdentity,
  PeerQuestions,
  type NodeConfig,
} from '#libs/node-config';
import { AuditTrail } from '../audit-trail.js';
import {
  compareWithWitnesses,
  type WitnessComparison,
  type WitnessedHead,
} from './compare-heads.js';
import { verifyHeadStatement } from './head-statement.js';
import {
  MAX_WITNESS_ANSWER_BYTES,
  WITNESS_HEADS_PATH,
  WITNESS_QUERY_MAX_AGE_MS,
  type WitnessAnswerDocument,
} from './witness-protocol.js';
import { witnessPeers } from './witness-peers.js';

export interface WitnessReport extends WitnessComparison {
  /** Peers that answered, with how many of this node's heads each holds. */
  witnesses: Array<{ peer: string; heads: number }>;
  /** Peers that could not be asked, or whose answer did not open: nothing is known from them. */
  unanswered: Array<{ peer: string; reason: string }>;
  /** Statements a peer returned that are not this node's valid signature: ignored, and named. */
  ignored: Array<{ peer: string; reason: string }>;
}

/**
 * `audit verify --witnesses`: asks every peer for the heads of this node's chain it holds, each
 * signed by this node, and checks this node's chain against them. A history rewritten after a
 * head was witnessed — even with every hash after it re-computed, which `audit verify` alone cannot
 * tell — no longer has the witnessed hash at that position (AUDIT_WITNESS_MISMATCH).
 */
@Injectable()
export class CheckAuditWitnesses {
  constructor(
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly questions: PeerQuestions,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(): Promise<WitnessReport> {
    const heads: WitnessedHead[] = [];
    const report: Pick<WitnessReport, 'witnesses' | 'unanswered' | 'ignored'> = {
      witnesses: [],
      unanswered: [],
      ignored: [],
    };
    const self = this.identity.authority;
    const latest = new Date(this.clock.now().getTime() + this.config.inbound.clockSkewMs);
    for (const peer of witnessPeers(this.directory, this.identity)) {
      let statements: readonly string[];
      try {
        statements = await this.ask(peer);
      } catch (error) {
        report.unanswered.push({ peer: peer.id, reason: (error as Error).message });
        continue;
      }
      let held = 0;
      for (const armored of statements) {
        try {
          const { statement } = await verifyHeadStatement(armored, self, latest);
          heads.push({ witness: peer.id, ...pick(statement) });
          held += 1;
        } catch (error) {
          report.ignored.push({ peer: peer.id, reason: (error as Error).message });
        }
      }
      report.witnesses.push({ peer: peer.id, heads: held });
    }
    await this.audit.chainPending();
    const comparison = compareWithWitnesses(
      heads,
      await this.audit.hashesAt(heads.map((head) => head.seq)),
    );
    await this.audit.record({
      event: 'audit.witness-checked',
      actor: 'system',
      details: {
        ok: comparison.ok,
        heads: comparison.heads,
        witnesses: report.witnesses.map((w) => w.peer),
        unanswered: report.unanswered.map((u) => u.peer),
        mismatches: comparison.mismatches
          .slice(0, 20)
          .map(({ seq, witness }) => ({ seq, witness })),
      },
    });
    return { ...comparison, ...report };
  }

  /** This node's statements the peer holds, from its sealed answer. */
  private async ask(peer: Authority): Promise<readonly string[]> {
    const answer = await this.questions.ask<WitnessAnswerDocument>(peer, {
      path: WITNESS_HEADS_PATH,
      type: 'audit-witness-query',
      answerType: 'audit-witness-heads',
      maxBytes: MAX_WITNESS_ANSWER_BYTES,
      maxAgeMs: WITNESS_QUERY_MAX_AGE_MS,
      timeoutMs: this.config.delivery.requestTimeoutMs,
    });
    if (
      !Array.isArray(answer.statements) ||
      !answer.statements.every((statement) => typeof statement === 'string')
    ) {
      throw new Error('its answer does not answer this query');
    }
    return answer.statements;
  }
}

function pick(statement: { seq: string; headHash: string; signedAt: string }) {
  return { seq: statement.seq, headHash: statement.headHash, signedAt: statement.signedAt };
}
