import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, isGatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';
import {
  HeldSubmissionsRepository,
  type ClaimedSubmission,
} from './held-submissions.repository.js';
import { SubmitMessage } from './submit-message.use-case.js';

const BATCH = 20;
/** A claim outlives a check by far: a process that dies mid-check frees it after this. */
const LEASE_MS = 60_000;

/**
 * Checks held submissions again until every register of the State answers: then each is decided
 * afresh, exactly as at submission (facts and register as they are now), and sent or blocked.
 * One gateway process of the node runs it at a time; a held submission is claimed for a check
 * and released at most once. After the give-up time it fails, and says why.
 */
@Injectable()
export class ReleaseHeldSubmissions implements OnModuleInit {
  private readonly logger = new Logger(ReleaseHeldSubmissions.name);

  constructor(
    private readonly held: HeldSubmissionsRepository,
    private readonly submit: SubmitMessage,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly tasks: PeriodicTasks,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: 'held-submissions',
      intervalMs: this.config.safeguards.heldRecheckIntervalMs,
      run: () => this.runOnce(),
    });
  }

  /** Checks the held submissions that are due; how many were settled (released, blocked, failed). */
  async runOnce(): Promise<number> {
    let settled = 0;
    for (const claimed of await this.held.claimDue(this.clock.now(), LEASE_MS, BATCH)) {
      if (await this.check(claimed)) settled++;
    }
    return settled;
  }

  private async check(claimed: ClaimedSubmission): Promise<boolean> {
    const { id, draft, context } = claimed;
    try {
      await this.submit.execute(draft, context, { release: { holdId: id } });
      return true;
    } catch (error) {
      const now = this.clock.now();
      if (!isGatewayError(error)) {
        // The database or the queue: the lease runs out and the next round tries again.
        this.logger.warn(
          { holdId: id, err: (error as Error).message },
          'held submission not checked',
        );
        return false;
      }
      if (error.code === ErrorCode.HELD_SUBMISSION_NOT_FOUND) return false;
      if (error.code === ErrorCode.REGISTER_UNAVAILABLE && now < claimed.giveUpAt) {
        const awaiting = error.details.map((detail) => String(detail.register));
        await this.held.waitAgain(
          id,
          awaiting,
          new Date(now.getTime() + this.config.safeguards.heldRecheckIntervalMs),
          now,
        );
        return false;
      }
      const status = error.code === ErrorCode.POLICY_BLOCKED ? 'blocked' : 'failed';
      const outcome = { code: error.code, message: error.message, details: error.details };
      await this.held.settle(id, status, outcome, now);
      await this.audit.record({
        event: status === 'blocked' ? 'submission.blocked' : 'submission.failed',
        actor: context.actor,
        correlationId: context.correlationId,
        details: { holdId: id, code: error.code, rules: error.details.map((d) => d.rule ?? null) },
      });
      return true;
    }
  }
}
