import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AccessScope } from '#libs/access';
import { ColumnCipher, InjectDatabase, visibleTo, type Db } from '#libs/persistence';
import type { Trx } from './message.repository.js';
import type { MessageDraft, SubmissionContext } from './submit-message.use-case.js';

export type HeldStatus = 'awaiting-safeguard-check' | 'released' | 'blocked' | 'failed';

/** What a held submission's sender sees of it: never the draft, never the register's answer. */
export interface HeldSubmissionView {
  holdId: string;
  status: HeldStatus;
  procedure: string;
  caseReference: string | null;
  createdAt: string;
  updatedAt: string;
  /** The registers not reached at the last check. */
  awaiting: string[];
  checks: number;
  /** Released: the submission; blocked or failed: the error answered to the sender. */
  outcome: Record<string, unknown> | null;
}

export interface ClaimedSubmission {
  id: string;
  draft: MessageDraft;
  context: SubmissionContext;
  giveUpAt: Date;
}

interface StoredContext {
  actor: string;
  scope: AccessScope;
  mayAcknowledgeWarnings: boolean;
}

/**
 * Submissions that wait for a register that could not be consulted: the draft sealed at rest,
 * the sender's context, and when to check again. A held submission is released at most once: the
 * transaction that stores its messages also marks it released, on the condition that it still waits.
 */
@Injectable()
export class HeldSubmissionsRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  async hold(
    draft: MessageDraft,
    context: SubmissionContext,
    awaiting: readonly string[],
    at: { now: Date; nextCheckAt: Date; giveUpAt: Date },
    trx: Pick<Db, 'insertInto'> = this.db,
  ): Promise<HeldSubmissionView> {
    const id = uuidv7({ msecs: at.now.getTime() });
    const stored: StoredContext = {
      actor: context.actor,
      scope: context.scope,
      mayAcknowledgeWarnings: context.mayAcknowledgeWarnings,
    };
    await trx
      .insertInto('held_submissions')
      .values({
        id,
        authority: context.scope.authorityId,
        procedure: draft.procedure,
        case_reference: draft.caseReference ?? null,
        actor: context.actor,
        correlation_id: context.correlationId,
        context: JSON.stringify(stored),
        draft: this.cipher.seal('held_submissions.draft', id, draft),
        status: 'awaiting-safeguard-check',
        awaiting: [...awaiting],
        created_at: at.now,
        updated_at: at.now,
        next_check_at: at.nextCheckAt,
        give_up_at: at.giveUpAt,
      })
      .execute();
    return {
      holdId: id,
      status: 'awaiting-safeguard-check',
      procedure: draft.procedure,
      caseReference: draft.caseReference ?? null,
      createdAt: at.now.toISOString(),
      updatedAt: at.now.toISOString(),
      awaiting: [...awaiting],
      checks: 0,
      outcome: null,
    };
  }

  /**
   * Takes up to `limit` held submissions due for a check, leasing them for `leaseMs` so that no
   * other process of the node takes them meanwhile (a crashed process's lease simply runs out).
   */
  async claimDue(now: Date, leaseMs: number, limit: number): Promise<ClaimedSubmission[]> {
    const rows = await this.db
      .updateTable('held_submissions')
      .set({
        next_check_at: new Date(now.getTime() + leaseMs),
        checks: sql`checks + 1`,
      })
      .where(
        'id',
        'in',
        this.db
          .selectFrom('held_submissions')
          .select('id')
          .where('status', '=', 'awaiting-safeguard-check')
          .where('next_check_at', '<=', now)
          .orderBy('next_check_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'draft', 'context', 'correlation_id', 'give_up_at'])
      .execute();
    return rows.map((row) => {
      const stored = row.context as unknown as StoredContext;
      return {
        id: row.id,
        draft: this.cipher.open<MessageDraft>('held_submissions.draft', row.id, row.draft),
        context: { ...stored, correlationId: row.correlation_id },
        giveUpAt: row.give_up_at,
      };
    });
  }

  /** Marks a held submission released, in the transaction that stores its messages. */
  async markReleased(
    trx: Trx,
    id: string,
    outcome: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('held_submissions')
      .set({ status: 'released', outcome: JSON.stringify(outcome), awaiting: [], updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'awaiting-safeguard-check')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async settle(
    id: string,
    status: 'blocked' | 'failed',
    outcome: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    await this.db
      .updateTable('held_submissions')
      .set({ status, outcome: JSON.stringify(outcome), updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'awaiting-safeguard-check')
      .execute();
  }

  async waitAgain(id: string, awaiting: readonly string[], nextCheckAt: Date, now: Date) {
    await this.db
      .updateTable('held_submissions')
      .set({ awaiting: [...awaiting], next_check_at: nextCheckAt, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'awaiting-safeguard-check')
      .execute();
  }

  /** The held submissions of the caller's authority and procedures, newest first. */
  async list(scope: AccessScope, limit: number): Promise<HeldSubmissionView[]> {
    const rows = await this.db
      .selectFrom('held_submissions')
      .selectAll()
      .where(visibleTo(scope))
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(viewOf);
  }

  async find(id: string): Promise<{ view: HeldSubmissionView; authority: string } | undefined> {
    const row = await this.db
      .selectFrom('held_submissions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { view: viewOf(row), authority: row.authority } : undefined;
  }
}

function viewOf(row: {
  id: string;
  status: HeldStatus;
  procedure: string;
  case_reference: string | null;
  created_at: Date;
  updated_at: Date;
  awaiting: string[];
  checks: number;
  outcome: unknown;
}): HeldSubmissionView {
  return {
    holdId: row.id,
    status: row.status,
    procedure: row.procedure,
    caseReference: row.case_reference,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    awaiting: row.awaiting,
    checks: row.checks,
    outcome: (row.outcome as Record<string, unknown> | null) ?? null,
  };
}
