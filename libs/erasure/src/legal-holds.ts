import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OutOfScopeError, type AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import {
  ColumnCipher,
  InjectDatabase,
  visibleTo,
  type Db,
  type LegalHoldRow,
} from '#libs/persistence';

/** What a hold covers: one request, or every request of a case (of the officer's authority). */
export type HoldTarget = { requestId: string } | { caseReference: string };

export interface LegalHoldView {
  id: string;
  authority: string;
  requestId: string | null;
  caseReference: string | null;
  reason: string;
  setBy: string;
  setAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
}

export interface HoldCaller {
  actor: string;
  correlationId: string;
  scope: AccessScope;
}

/** Why a hold stops erasure: cited in its audit entries and answers. */
export const LEGAL_HOLD_BASIS =
  'legal hold: content needed for proceedings, an audit or a complaint is kept whatever its retention profile says';

/**
 * Legal holds: a supervisor puts a case or a request on hold (with a reason) and releases it
 * (with a reason); both are audited. The erasure task never selects what a hold in force covers.
 */
@Injectable()
export class LegalHolds {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Sets a hold; one already in force on the same target is answered as it is (idempotent). */
  async set(target: HoldTarget, reason: string, caller: HoldCaller): Promise<LegalHoldView> {
    const authority = await this.authorityOf(target, caller.scope);
    return this.db.transaction().execute(async (trx) => {
      const current = await this.inForce(trx, authority, target);
      if (current) return this.view(current);
      const now = this.clock.now();
      const id = randomUUID();
      const row = await trx
        .insertInto('legal_holds')
        .values({
          id,
          authority,
          request_id: 'requestId' in target ? target.requestId : null,
          case_reference: 'caseReference' in target ? target.caseReference : null,
          reason: this.cipher.seal('legal_holds.reason', id, reason),
          set_by: caller.actor,
          set_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // The reason is sealed in legal_holds: the trail names the hold, not why (it may name a person).
      await this.audit.record(
        {
          event: 'retention.hold-set',
          actor: caller.actor,
          correlationId: caller.correlationId,
          details: { holdId: id, ...target, authority, basis: LEGAL_HOLD_BASIS },
        },
        trx,
      );
      return this.view(row);
    });
  }

  async release(target: HoldTarget, reason: string, caller: HoldCaller): Promise<LegalHoldView> {
    const authority = await this.authorityOf(target, caller.scope);
    return this.db.transaction().execute(async (trx) => {
      const current = await this.inForce(trx, authority, target);
      if (!current) {
        throw new GatewayError(ErrorCode.LEGAL_HOLD_NOT_FOUND, 'no legal hold in force there', [
          { field: 'requestId' in target ? 'requestId' : 'caseReference' },
        ]);
      }
      const now = this.clock.now();
      const row = await trx
        .updateTable('legal_holds')
        .set({
          released_by: caller.actor,
          released_at: now,
          release_reason: this.cipher.seal('legal_holds.release_reason', current.id, reason),
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit.record(
        {
          event: 'retention.hold-released',
          actor: caller.actor,
          correlationId: caller.correlationId,
          details: { holdId: current.id, ...target, authority, basis: LEGAL_HOLD_BASIS },
        },
        trx,
      );
      return this.view(row);
    });
  }

  private inForce(trx: Db, authority: string, target: HoldTarget) {
    let query = trx
      .selectFrom('legal_holds')
      .selectAll()
      .where('authority', '=', authority)
      .where('released_at', 'is', null)
      .forUpdate();
    query =
      'requestId' in target
        ? query.where('request_id', '=', target.requestId)
        : query.where('case_reference', '=', target.caseReference);
    return query.executeTakeFirst();
  }

  /** The authority whose request or case it is, as the caller may see it; others are "not found". */
  private async authorityOf(target: HoldTarget, scope: AccessScope): Promise<string> {
    const column = 'requestId' in target ? 'id' : 'case_reference';
    const value = 'requestId' in target ? target.requestId : target.caseReference;
    const visible = await this.db
      .selectFrom('requests')
      .select('authority')
      .where(column, '=', value)
      .where(visibleTo(scope))
      .executeTakeFirst();
    if (visible) return visible.authority;
    const exists = await this.db
      .selectFrom('requests')
      .select('id')
      .where(column, '=', value)
      .executeTakeFirst();
    const [code, message] =
      'requestId' in target
        ? [ErrorCode.REQUEST_NOT_FOUND, `request ${value} does not exist`]
        : [ErrorCode.CASE_NOT_FOUND, `case ${value} does not exist`];
    throw exists ? new OutOfScopeError(code, message) : new GatewayError(code, message);
  }

  private view(row: LegalHoldRow): LegalHoldView {
    return {
      id: row.id,
      authority: row.authority,
      requestId: row.request_id,
      caseReference: row.case_reference,
      reason: this.cipher.open<string>('legal_holds.reason', row.id, row.reason),
      setBy: row.set_by,
      setAt: row.set_at.toISOString(),
      releasedBy: row.released_by,
      releasedAt: row.released_at?.toISOString() ?? null,
    };
  }
}
