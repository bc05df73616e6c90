import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { AccessScope } from '#libs/access';
import { canonicalJson, sha256Hex } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ColumnCipher, InjectDatabase, type Db } from '#libs/persistence';
import type { Trx } from './message.repository.js';
import type { SupervisedWarning } from './supervision.js';
import type { MessageDraft, SubmissionContext } from './submit-message.use-case.js';

export type SupervisedStatus = 'awaiting-supervisor' | 'acknowledged' | 'declined' | 'blocked';

/** What the submitter and the supervisors' list see of a submission awaiting a supervisor. */
export interface SupervisedSubmissionView {
  id: string;
  status: SupervisedStatus;
  procedure: string;
  messageType: string;
  channel: string;
  caseReference: string | null;
  requestId: string | null;
  recipients: string[];
  submittedBy: string;
  submittedAt: string;
  /** Rule id, legal bases and what the rule found, per warning. */
  warnings: SupervisedWarning[];
  decidedBy: string | null;
  decidedAt: string | null;
  /** A decline's reason. */
  reason: string | null;
  /** Acknowledged: the request and messages sent; blocked: the error. */
  outcome: Record<string, unknown> | null;
}

/** A supervisor's detail view: the draft as submitted, too (null once erased after the decision). */
export interface SupervisedSubmissionDetail extends SupervisedSubmissionView {
  draft: MessageDraft | null;
}

export interface StoredSupervised {
  view: SupervisedSubmissionView;
  authority: string;
  /** Null once erased: only ever for a decided item. */
  draft: MessageDraft | null;
  context: SubmissionContext;
}

interface StoredContext {
  actor: string;
  scope: AccessScope;
  mayAcknowledgeWarnings: boolean;
}

type Row = {
  id: string;
  authority: string;
  procedure: string;
  message_type: string;
  channel: string;
  case_reference: string | null;
  request_id: string | null;
  recipients: string[];
  submitted_by: string;
  correlation_id: string;
  context: unknown;
  draft: Buffer | null;
  warnings: unknown;
  explanations: Buffer | null;
  status: SupervisedStatus;
  decided_by: string | null;
  decided_at: Date | null;
  reason: Buffer | null;
  outcome: unknown;
  created_at: Date;
  updated_at: Date;
  content_erased_at: Date | null;
};

/** The digest that makes the same draft by the same submitter one waiting item. */
export function draftDigest(draft: MessageDraft): string {
  return sha256Hex(canonicalJson(JSON.parse(JSON.stringify(draft)) as unknown));
}

/**
 * Submissions refused only for warnings, kept for a supervisor: the draft sealed at rest, the
 * warnings' rule ids and legal bases in clear, their explanations and a decline's reason sealed.
 * Decided at most once: every decision is an update on the condition that the item still waits.
 */
@Injectable()
export class SupervisedSubmissionsRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  /**
   * Keeps a refused draft for a supervisor, or finds the one already waiting for the same draft
   * and submitter. Answers the item's id and whether it is new.
   */
  async keep(
    trx: Trx,
    item: {
      draft: MessageDraft;
      context: SubmissionContext;
      channel: string;
      caseReference: string | null;
      requestId: string | null;
      recipients: readonly string[];
      warnings: readonly SupervisedWarning[];
    },
    now: Date,
  ): Promise<{ id: string; created: boolean }> {
    const id = uuidv7({ msecs: now.getTime() });
    const digest = draftDigest(item.draft);
    const stored: StoredContext = {
      actor: item.context.actor,
      scope: item.context.scope,
      mayAcknowledgeWarnings: item.context.mayAcknowledgeWarnings,
    };
    const inserted = await trx
      .insertInto('supervised_submissions')
      .values({
        id,
        authority: item.context.scope.authorityId,
        procedure: item.draft.procedure,
        message_type: item.draft.messageType,
        channel: item.channel,
        case_reference: item.caseReference,
        request_id: item.requestId,
        recipients: [...item.recipients],
        submitted_by: item.context.actor,
        correlation_id: item.context.correlationId,
        context: JSON.stringify(stored),
        draft: this.cipher.seal('supervised_submissions.draft', id, item.draft),
        draft_sha256: digest,
        warnings: JSON.stringify(
          item.warnings.map(({ ruleId, legalBasis }) => ({ ruleId, legalBasis })),
        ),
        explanations: this.cipher.seal(
          'supervised_submissions.explanations',
          id,
          item.warnings.map(({ ruleId, text }) => ({ ruleId, text })),
        ),
        status: 'awaiting-supervisor',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['submitted_by', 'draft_sha256'])
          .where('status', '=', 'awaiting-supervisor')
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      await this.holdUploads(trx, inserted.id, item, now);
      return { id: inserted.id, created: true };
    }
    const existing = await trx
      .selectFrom('supervised_submissions')
      .select('id')
      .where('submitted_by', '=', item.context.actor)
      .where('draft_sha256', '=', digest)
      .where('status', '=', 'awaiting-supervisor')
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  /**
   * The uploads the kept draft attaches wait with it: `held`, the expiry sweep leaves them and no
   * other message attaches them. The submission resolved them as complete uploads of the
   * submitter; one attached or expired since refuses the whole keep (the transaction rolls back).
   */
  private async holdUploads(
    trx: Trx,
    id: string,
    item: { draft: MessageDraft; context: SubmissionContext },
    now: Date,
  ): Promise<void> {
    const uploadIds = (item.draft.attachments ?? []).map((ref) => ref.uploadId);
    if (uploadIds.length === 0) return;
    const held = await trx
      .updateTable('uploads')
      .set({ state: 'held', held_for: id, updated_at: now })
      .where('id', 'in', uploadIds)
      .where('authority', '=', item.context.scope.authorityId)
      .where('state', '=', 'complete')
      .returning('id')
      .execute();
    const missing = uploadIds.find((uploadId) => !held.some((row) => row.id === uploadId));
    if (missing) {
      throw new GatewayError(
        ErrorCode.UPLOAD_NOT_ATTACHABLE,
        `upload ${missing} is no longer a complete upload waiting to be attached`,
        [{ field: 'attachments', uploadId: missing }],
      );
    }
  }

  /**
   * A declined or blocked item gives its uploads back: complete again, expiring the usual time
   * after the release (the submitter may still attach them to a corrected draft).
   */
  private async releaseUploads(trx: Trx, id: string, now: Date): Promise<void> {
    await trx
      .updateTable('uploads')
      .set({ state: 'complete', held_for: null, released_at: now, updated_at: now })
      .where('held_for', '=', id)
      .where('state', '=', 'held')
      .execute();
  }

  async find(id: string): Promise<StoredSupervised | undefined> {
    const row = await this.db
      .selectFrom('supervised_submissions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const stored = row.context as unknown as StoredContext;
    return {
      view: this.viewOf(row),
      authority: row.authority,
      draft: row.draft
        ? this.cipher.open<MessageDraft>('supervised_submissions.draft', row.id, row.draft)
        : null,
      context: { ...stored, correlationId: row.correlation_id },
    };
  }

  /** An authority's submissions (one status, or all), newest first; `submittedBy` narrows to one submitter. */
  async list(
    authority: string,
    filter: { status?: SupervisedStatus; submittedBy?: string },
    limit: number,
  ): Promise<SupervisedSubmissionView[]> {
    let query = this.db
      .selectFrom('supervised_submissions')
      .selectAll()
      .where('authority', '=', authority);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.submittedBy) query = query.where('submitted_by', '=', filter.submittedBy);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => this.viewOf(row));
  }

  /**
   * Marks the item acknowledged, in the transaction that stores its messages, on the condition
   * that it still waits: false when another decision came first (the caller's transaction then
   * stores nothing).
   */
  async markAcknowledged(
    trx: Trx,
    id: string,
    supervisor: string,
    outcome: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('supervised_submissions')
      .set({
        status: 'acknowledged',
        decided_by: supervisor,
        decided_at: now,
        outcome: JSON.stringify(outcome),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'awaiting-supervisor')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /**
   * Declined with a reason, or blocked by the policy at the supervisor's decision, its uploads
   * released; false if no longer waiting.
   */
  async settle(
    trx: Trx,
    id: string,
    settled:
      | { status: 'declined'; supervisor: string; reason: string }
      | { status: 'blocked'; supervisor: string; outcome: Record<string, unknown> },
    now: Date,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('supervised_submissions')
      .set({
        status: settled.status,
        decided_by: settled.supervisor,
        decided_at: now,
        reason:
          settled.status === 'declined'
            ? this.cipher.seal('supervised_submissions.reason', id, settled.reason)
            : null,
        outcome: settled.status === 'blocked' ? JSON.stringify(settled.outcome) : null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'awaiting-supervisor')
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return false;
    await this.releaseUploads(trx, id, now);
    return true;
  }

  private viewOf(row: Row): SupervisedSubmissionView {
    // Erased a while after the decision: the rule ids and legal bases stay, the texts go.
    const explanations = row.explanations
      ? this.cipher.open<Array<{ ruleId: string; text: string }>>(
          'supervised_submissions.explanations',
          row.id,
          row.explanations,
        )
      : [];
    const warnings = (row.warnings as Array<{ ruleId: string; legalBasis: string[] }>).map(
      (warning) => ({
        ...warning,
        text: explanations.find((e) => e.ruleId === warning.ruleId)?.text ?? '',
      }),
    );
    return {
      id: row.id,
      status: row.status,
      procedure: row.procedure,
      messageType: row.message_type,
      channel: row.channel,
      caseReference: row.case_reference,
      requestId: row.request_id,
      recipients: row.recipients,
      submittedBy: row.submitted_by,
      submittedAt: row.created_at.toISOString(),
      warnings,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at?.toISOString() ?? null,
      reason: row.reason
        ? this.cipher.open<string>('supervised_submissions.reason', row.id, row.reason)
        : null,
      outcome: (row.outcome as Record<string, unknown> | null) ?? null,
    };
  }
}
