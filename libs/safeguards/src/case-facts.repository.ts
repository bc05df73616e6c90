import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { AuditTrail } from '#libs/audit';
import type { Procedure } from '#libs/envelope';
import { Clock } from '#libs/node-config';
import {
  caseFactsHistoryRowId,
  ColumnCipher,
  InjectDatabase,
  procedureFactsRowId,
  type Db,
} from '#libs/persistence';
import {
  combineFacts,
  overallDirection,
  type CaseFacts,
  type FactChange,
  type FactDirection,
} from '#libs/policy';

/** Which facts: one procedure's, in one case of one authority. */
export interface FactsKey {
  readonly authorityId: string;
  readonly caseReference: string;
  readonly procedure: Procedure;
}

/** What one entry of the history holds, sealed. */
export interface RecordedChange {
  readonly changes: readonly (FactChange | RecordedField)[];
  readonly justification?: string;
}

/** A field as it stood before the history was kept (migration 0008). */
export interface RecordedField {
  readonly path: string;
  readonly after: unknown;
  readonly direction: 'recorded';
}

export interface FactsHistoryEntry extends RecordedChange {
  readonly procedure: Procedure;
  readonly version: number;
  readonly recordedAt: Date;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly direction: FactDirection | 'recorded';
}

/** The writer of a change, as the history and the audit trail name them. */
export interface FactsWriter {
  readonly actor: string;
  readonly roles: readonly string[];
  readonly correlationId?: string;
}

/** What a change to the current facts comes to: nothing, a refusal, or a new version. */
export type FactsDecision<R> =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refused'; readonly refusal: R }
  | {
      readonly kind: 'change';
      readonly next: CaseFacts;
      readonly changes: readonly FactChange[];
      readonly justification?: string;
    };

/**
 * What this authority knows about a case's persons, per procedure: an append-only history of
 * changes, and the current facts it adds up to, updated in the same transaction. Both are sealed
 * at rest and bound to their row. Local only, never sent.
 */
@Injectable()
export class CaseFactsRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly cipher: ColumnCipher,
  ) {}

  /**
   * What the decision point reads, in one statement: the tightest combination of the facts every
   * procedure of the authority recorded for the case (`combineFacts`), whoever may see them, and
   * the register's version, which the register check must have applied (RegisterIndex).
   */
  async forDecision(
    authorityId: string,
    caseReference: string | null | undefined,
  ): Promise<{ facts: CaseFacts; registerVersion: bigint }> {
    const rows = await this.db
      .selectFrom('register_state')
      .leftJoin('case_facts', (join) =>
        join
          .on('case_facts.authority', '=', authorityId)
          .on('case_facts.case_reference', '=', caseReference || null),
      )
      .select(['register_state.version', 'case_facts.procedure', 'case_facts.facts'])
      .where('register_state.id', '=', 1)
      .orderBy('case_facts.procedure')
      .execute();
    if (rows.length === 0) throw new Error('the register has no state row');
    const recorded = rows.flatMap(({ procedure, facts }) =>
      procedure && facts && caseReference
        ? [this.opened(authorityId, caseReference, procedure as Procedure, facts)]
        : [],
    );
    return { facts: combineFacts(recorded), registerVersion: BigInt(rows[0].version) };
  }

  /** The current facts of each procedure (of those given, or all) that recorded any. */
  async read(
    authorityId: string,
    caseReference: string,
    procedures?: readonly Procedure[],
  ): Promise<Map<Procedure, CaseFacts>> {
    if (procedures?.length === 0) return new Map();
    let query = this.db
      .selectFrom('case_facts')
      .select(['procedure', 'facts'])
      .where('authority', '=', authorityId)
      .where('case_reference', '=', caseReference);
    if (procedures) query = query.where('procedure', 'in', procedures);
    const rows = await query.orderBy('procedure').execute();
    return new Map(
      rows.map((row) => {
        const procedure = row.procedure as Procedure;
        return [procedure, this.opened(authorityId, caseReference, procedure, row.facts)];
      }),
    );
  }

  /** A procedure's current facts as stored: sealed, and bound to their row. */
  private opened(
    authorityId: string,
    caseReference: string,
    procedure: Procedure,
    sealed: Buffer,
  ): CaseFacts {
    return this.cipher.open<CaseFacts>(
      'case_facts.facts',
      procedureFactsRowId(authorityId, caseReference, procedure),
      sealed,
    );
  }

  /**
   * Applies one change to a procedure's facts: `decide` sees the current facts (locked until the
   * transaction ends) and returns the next ones with the classified changes, or a refusal, or
   * nothing. A change becomes the next entry of the history, the current facts and audit entries
   * in one transaction.
   */
  async change<R>(
    key: FactsKey,
    writer: FactsWriter,
    decide: (current: CaseFacts) => FactsDecision<R>,
  ): Promise<{ decision: FactsDecision<R>; facts: CaseFacts }> {
    const { authorityId, caseReference, procedure } = key;
    return this.db.transaction().execute(async (trx) => {
      // Serialises the writers of one procedure's facts, whether the row exists yet or not.
      const lock = JSON.stringify(['case-facts', authorityId, caseReference, procedure]);
      await sql`select pg_advisory_xact_lock(hashtext(${lock}))`.execute(trx);
      const row = await trx
        .selectFrom('case_facts')
        .select(['version', 'facts'])
        .where('authority', '=', authorityId)
        .where('case_reference', '=', caseReference)
        .where('procedure', '=', procedure)
        .executeTakeFirst();
      const rowId = procedureFactsRowId(authorityId, caseReference, procedure);
      const current = row ? this.cipher.open<CaseFacts>('case_facts.facts', rowId, row.facts) : {};
      const decision = decide(current);
      if (decision.kind !== 'change') return { decision, facts: current };

      const now = this.clock.now();
      const version = (row?.version ?? 0) + 1;
      const direction = overallDirection(decision.changes);
      const recorded: RecordedChange = {
        changes: decision.changes,
        ...(decision.justification !== undefined && { justification: decision.justification }),
      };
      await trx
        .insertInto('case_facts_history')
        .values({
          authority: authorityId,
          case_reference: caseReference,
          procedure,
          version,
          recorded_at: now,
          actor: writer.actor,
          roles: [...writer.roles],
          direction,
          change: this.cipher.seal(
            'case_facts_history.change',
            caseFactsHistoryRowId(authorityId, caseReference, procedure, version),
            recorded,
          ),
        })
        .execute();
      const sealed = this.cipher.seal('case_facts.facts', rowId, decision.next);
      await trx
        .insertInto('case_facts')
        .values({
          authority: authorityId,
          case_reference: caseReference,
          procedure,
          version,
          facts: sealed,
          updated_at: now,
          updated_by: writer.actor,
        })
        .onConflict((oc) =>
          oc
            .columns(['authority', 'case_reference', 'procedure'])
            .doUpdateSet({ facts: sealed, version, updated_at: now, updated_by: writer.actor }),
        )
        .execute();
      // The trail names the fields that changed and how, never their values nor the justification.
      const paths = decision.changes.map(({ path, direction: way }) => ({ path, direction: way }));
      await this.audit.record(
        {
          event: 'case-facts.updated',
          actor: writer.actor,
          correlationId: writer.correlationId,
          details: { caseReference, procedure, version, direction, paths },
        },
        trx,
      );
      const relaxed = decision.changes.filter((change) => change.direction === 'relaxed');
      if (relaxed.length > 0) {
        await this.audit.record(
          {
            event: 'case-facts.relaxed',
            actor: writer.actor,
            correlationId: writer.correlationId,
            details: {
              caseReference,
              procedure,
              version,
              paths: relaxed.map((change) => change.path),
              rules: [...new Set(relaxed.flatMap((change) => change.rules))],
              roles: writer.roles,
              // The text is in the history, sealed: it may name persons like the facts do.
              justified: decision.justification !== undefined,
            },
          },
          trx,
        );
      }
      return { decision, facts: decision.next };
    });
  }

  /** Every change of the given procedures' facts, oldest first. */
  async history(
    authorityId: string,
    caseReference: string,
    procedures: readonly Procedure[],
  ): Promise<FactsHistoryEntry[]> {
    if (procedures.length === 0) return [];
    const rows = await this.db
      .selectFrom('case_facts_history')
      .selectAll()
      .where('authority', '=', authorityId)
      .where('case_reference', '=', caseReference)
      .where('procedure', 'in', procedures)
      .orderBy('recorded_at')
      .orderBy('procedure')
      .orderBy('version')
      .execute();
    return rows.map((row) => {
      const procedure = row.procedure as Procedure;
      const recorded = this.cipher.open<RecordedChange>(
        'case_facts_history.change',
        caseFactsHistoryRowId(authorityId, caseReference, procedure, row.version),
        row.change,
      );
      return {
        ...recorded,
        procedure,
        version: row.version,
        recordedAt: row.recorded_at,
        actor: row.actor,
        roles: row.roles,
        direction: row.direction as FactDirection | 'recorded',
      };
    });
  }
}
