import { Injectable } from '@nestjs/common';
import { OutOfScopeError, type AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import { MessageRepository } from './message.repository.js';
import {
  SupervisedSubmissionsRepository,
  type StoredSupervised,
  type SupervisedStatus,
  type SupervisedSubmissionDetail,
  type SupervisedSubmissionView,
} from './supervised-submissions.repository.js';
import {
  checkDecider,
  checkJustifications,
  checkReason,
  SIGN_OFF,
  type WarningJustification,
} from './supervision.js';
import {
  SubmitMessage,
  type MessageDraft,
  type SubmissionAccepted,
  type SubmissionHeld,
} from './submit-message.use-case.js';

/** Who decides: a supervisor of the authority, named as the audit trail names them. */
export interface SupervisorContext {
  actor: string;
  correlationId: string;
  scope: AccessScope;
}

/**
 * A supervisor's daily work on submissions refused only for warnings (domain.md sections 1 and 4):
 * the list of their authority's, each with its draft; acknowledging every warning with a written
 * justification, after which the draft passes the policy decision point again with those
 * acknowledgements (a hard block found meanwhile still blocks) and is sent as the submitter's
 * message; or declining it with a reason the submitter reads. Nobody decides their own submission,
 * and a submission is decided once: the decision is a conditional update in the transaction that
 * stores it, so that of two supervisors deciding at once exactly one wins.
 */
@Injectable()
export class SuperviseSubmissions {
  constructor(
    private readonly supervised: SupervisedSubmissionsRepository,
    private readonly submit: SubmitMessage,
    private readonly messages: MessageRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  list(
    supervisor: SupervisorContext,
    status: SupervisedStatus | undefined,
    limit: number,
  ): Promise<SupervisedSubmissionView[]> {
    return this.supervised.list(supervisor.scope.authorityId, { status }, limit);
  }

  /** A submitter's own submissions that went to a supervisor, and what became of them. */
  listOwn(officer: SupervisorContext, limit: number): Promise<SupervisedSubmissionView[]> {
    return this.supervised.list(officer.scope.authorityId, { submittedBy: officer.actor }, limit);
  }

  async detail(id: string, supervisor: SupervisorContext): Promise<SupervisedSubmissionDetail> {
    const item = await this.require(id, supervisor, false);
    return { ...item.view, draft: item.draft };
  }

  /** The submitter's view: the status, the warnings, the decision and its reason. */
  async own(id: string, officer: SupervisorContext): Promise<SupervisedSubmissionView> {
    return (await this.require(id, officer, true)).view;
  }

  async acknowledge(
    id: string,
    offered: readonly WarningJustification[],
    supervisor: SupervisorContext,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    const item = await this.require(id, supervisor, false);
    const draft = this.undecided(item, supervisor);
    const justifications = checkJustifications(
      item.view.warnings.map((w) => w.ruleId),
      offered,
    );
    // The policy takes the warnings' acknowledgements; a refusal's sign-off is the supervisor's own.
    const acknowledgements = justifications.filter((j) => j.ruleId !== SIGN_OFF);
    try {
      return await this.submit.execute(
        {
          ...draft,
          ...(acknowledgements.length > 0 && { acknowledgements }),
        },
        {
          ...item.context,
          correlationId: supervisor.correlationId,
          mayAcknowledgeWarnings: true,
          acknowledgedBy: supervisor.actor,
        },
        {
          review: {
            id,
            supervisor: supervisor.actor,
            justifications: justifications.map((j) => ({ ...j })),
            signedOff: justifications.length > acknowledgements.length,
          },
        },
      );
    } catch (error) {
      // A hard block found meanwhile has no override: the submission ends blocked.
      if (isGatewayError(error) && error.code === ErrorCode.POLICY_BLOCKED) {
        await this.blocked(item, supervisor, error);
      }
      throw error;
    }
  }

  async decline(
    id: string,
    reason: unknown,
    supervisor: SupervisorContext,
  ): Promise<SupervisedSubmissionView> {
    const item = await this.require(id, supervisor, false);
    this.undecided(item, supervisor);
    const written = checkReason(reason);
    const now = this.clock.now();
    await this.messages.transaction(async (trx) => {
      const settled = await this.supervised.settle(
        trx,
        id,
        { status: 'declined', supervisor: supervisor.actor, reason: written },
        now,
      );
      if (!settled) throw decidedMeanwhile(id);
      await this.audit.record(
        {
          event: 'supervision.declined',
          actor: supervisor.actor,
          correlationId: supervisor.correlationId,
          details: {
            supervisedSubmissionId: id,
            submittedBy: item.view.submittedBy,
            procedure: item.view.procedure,
            messageType: item.view.messageType,
            rules: item.view.warnings.map((w) => w.ruleId),
            legalBases: [...new Set(item.view.warnings.flatMap((w) => w.legalBasis))],
          },
          annex: { reason: written },
        },
        trx,
      );
    });
    return (await this.require(id, supervisor, false)).view;
  }

  private async blocked(
    item: StoredSupervised,
    supervisor: SupervisorContext,
    error: GatewayError,
  ): Promise<void> {
    const rules = error.details.map((detail) => String(detail.rule));
    const now = this.clock.now();
    await this.messages.transaction(async (trx) => {
      const settled = await this.supervised.settle(
        trx,
        item.view.id,
        {
          status: 'blocked',
          supervisor: supervisor.actor,
          outcome: { code: error.code, message: error.message, rules },
        },
        now,
      );
      if (!settled) return;
      await this.audit.record(
        {
          event: 'supervision.blocked',
          actor: supervisor.actor,
          correlationId: supervisor.correlationId,
          details: {
            supervisedSubmissionId: item.view.id,
            submittedBy: item.view.submittedBy,
            code: error.code,
            rules,
          },
        },
        trx,
      );
    });
  }

  /**
   * Separation of duties first (403), then whether it still waits (409): its draft (a waiting
   * item's is never erased).
   */
  private undecided(item: StoredSupervised, supervisor: SupervisorContext): MessageDraft {
    checkDecider(item.view.submittedBy, supervisor.actor);
    if (item.view.status !== 'awaiting-supervisor' || !item.draft) {
      throw decidedMeanwhile(item.view.id, item);
    }
    return item.draft;
  }

  /** The item, in the caller's authority (and, for a submitter, their own): 404 otherwise. */
  private async require(
    id: string,
    caller: SupervisorContext,
    ownOnly: boolean,
  ): Promise<StoredSupervised> {
    const item = await this.supervised.find(id);
    if (
      !item ||
      item.authority !== caller.scope.authorityId ||
      (ownOnly && item.view.submittedBy !== caller.actor)
    ) {
      throw new OutOfScopeError(
        ErrorCode.SUPERVISED_SUBMISSION_NOT_FOUND,
        `no submission ${id} awaiting a supervisor that you may see`,
        [{ field: 'id' }],
      );
    }
    return item;
  }
}

function decidedMeanwhile(id: string, item?: StoredSupervised): GatewayError {
  return new GatewayError(
    ErrorCode.SUPERVISED_SUBMISSION_DECIDED,
    item
      ? `submission ${id} is already ${item.view.status}${item.view.decidedBy ? ` by ${item.view.decidedBy}` : ''}`
      : `submission ${id} was decided meanwhile by another supervisor`,
    [{ field: 'id', status: item?.view.status ?? 'decided' }],
  );
}
