import { Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { Clock } from '#libs/node-config';
import { ColumnCipher, InjectDatabase, type Database, type Db } from '#libs/persistence';

/** PostgreSQL NOTIFY channel of register changes; the payload names the node's schema. */
export const REGISTER_CHANNEL = 'register_changed';

/** An entry as stored, or its tombstone once removed (no hashes). */
export interface StoredEntry {
  id: string;
  hashes: string[];
  shieldFrom: string[];
  owner: string;
  keyVersion: string;
  claimPending: boolean;
  version: bigint;
  removed: boolean;
}

export interface NewEntry {
  hashes: string[];
  shieldFrom: string[];
  keyVersion: string;
  claimPending: boolean;
  owner: string;
  actor: string;
}

export type ReviewStatus = 'pending' | 'confirmed' | 'cleared';

export interface ReviewRow {
  id: string;
  entryId: string;
  owner: string;
  requester: string;
  caseReference: string | null;
  recipientStates: string[];
  status: ReviewStatus;
  openedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
}

/**
 * The register's record in PostgreSQL: entries, their versions, tombstones and reviews. Every
 * change takes the next register version under the lock of `register_state`'s one row, so that
 * versions become visible in order, and announces itself with NOTIFY at commit.
 */
@Injectable()
export class RegisterRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly cipher: ColumnCipher,
  ) {}

  /** The register's current version: what a process must have applied to decide on it. */
  async version(): Promise<bigint> {
    const row = await this.db
      .selectFrom('register_state')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return BigInt(row.version);
  }

  /** Entries changed after `after`, in version order. */
  async changesSince(after: bigint, limit: number): Promise<StoredEntry[]> {
    const rows = await this.db
      .selectFrom('protected_persons')
      .select([
        'id',
        'hashes',
        'shield_from',
        'owner',
        'key_version',
        'claim_pending',
        'version',
        'removed_at',
      ])
      .where('version', '>', after.toString())
      .orderBy('version')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      hashes: row.hashes,
      shieldFrom: row.shield_from,
      owner: row.owner,
      keyVersion: row.key_version,
      claimPending: row.claim_pending,
      version: BigInt(row.version),
      removed: row.removed_at !== null,
    }));
  }

  async add(entry: NewEntry): Promise<{ entryId: string }> {
    const entryId = uuidv7();
    const now = this.clock.now();
    await this.change(async (trx, version) => {
      await trx
        .insertInto('protected_persons')
        .values({
          id: entryId,
          hashes: entry.hashes,
          shield_from: entry.shieldFrom,
          registered_at: now,
          registered_by: entry.actor,
          owner: entry.owner,
          key_version: entry.keyVersion,
          claim_pending: entry.claimPending,
          version,
        })
        .execute();
      // The audit says that an entry exists and whose it is, never whom it protects.
      await this.audit.record(
        {
          event: 'register.entry-added',
          actor: entry.actor,
          details: {
            entryId,
            owner: entry.owner,
            shieldFrom: entry.shieldFrom,
            claimPending: entry.claimPending,
            identifierKeys: entry.hashes.length,
            keyVersion: entry.keyVersion,
          },
        },
        trx,
      );
    });
    return { entryId };
  }

  /**
   * Removes an entry of `owner`: its hashes are erased, a tombstone keeps its place in the version
   * order. False when no live entry of that owner has this id (another owner's entry is "not found").
   */
  async remove(entryId: string, owner: string, actor: string): Promise<boolean> {
    const now = this.clock.now();
    const nothingToRemove = new Error('no live entry of this owner');
    try {
      return await this.change(async (trx, version) => {
        const result = await trx
          .updateTable('protected_persons')
          .set({ hashes: [], removed_at: now, removed_by: actor, version })
          .where('id', '=', entryId)
          .where('owner', '=', owner)
          .where('removed_at', 'is', null)
          .executeTakeFirst();
        // Rolled back: the version taken is not spent on nothing.
        if (result.numUpdatedRows === 0n) throw nothingToRemove;
        await this.audit.record(
          { event: 'register.entry-removed', actor, details: { entryId, owner } },
          trx,
        );
        return true;
      });
    } catch (error) {
      if (error === nothingToRemove) return false;
      throw error;
    }
  }

  /** Live entries hashed with another key version than `keyVersion`: they cannot be matched. */
  async staleEntries(keyVersion: string): Promise<number> {
    const row = await this.db
      .selectFrom('protected_persons')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('removed_at', 'is', null)
      .where('key_version', '!=', keyVersion)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async liveEntries(owner: string): Promise<number> {
    const row = await this.db
      .selectFrom('protected_persons')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('removed_at', 'is', null)
      .where('owner', '=', owner)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * The reviews of these entries for one requester and case, opening a pending review for each
   * entry that has none when `open` is set (a message was refused on the hit). Idempotent under
   * parallel checks: the unique index decides, and the winner's row is read back.
   */
  async reviewsFor(
    entryIds: readonly string[],
    subject: { requester: string; caseReference: string | null; recipientStates: string[] },
    open: boolean,
    actor: string,
  ): Promise<Map<string, ReviewRow>> {
    if (entryIds.length === 0) return new Map();
    const read = async (executor: Pick<Db, 'selectFrom'>) =>
      (
        await executor
          .selectFrom('register_reviews')
          .selectAll()
          .where('entry_id', 'in', [...entryIds])
          .where('requester', '=', subject.requester)
          .where(sql<boolean>`coalesce(case_reference, '') = ${subject.caseReference ?? ''}`)
          .execute()
      ).map(reviewOf);
    const existing = await read(this.db);
    const missing = entryIds.filter((id) => !existing.some((review) => review.entryId === id));
    if (!open || missing.length === 0) {
      return new Map(existing.map((review) => [review.entryId, review]));
    }
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const owners = await trx
        .selectFrom('protected_persons')
        .select(['id', 'owner'])
        .where('id', 'in', missing)
        .execute();
      const opened = await trx
        .insertInto('register_reviews')
        .values(
          owners.map(({ id, owner }) => ({
            id: uuidv7(),
            entry_id: id,
            owner,
            requester: subject.requester,
            case_reference: subject.caseReference,
            recipient_states: subject.recipientStates,
            status: 'pending' as const,
            opened_at: now,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .returning(['id', 'entry_id', 'owner'])
        .execute();
      for (const review of opened) {
        await this.audit.record(
          {
            event: 'register.review-opened',
            actor,
            details: {
              reviewId: review.id,
              entryId: review.entry_id,
              owner: review.owner,
              requester: subject.requester,
              caseReference: subject.caseReference,
              recipientStates: subject.recipientStates,
            },
          },
          trx,
        );
      }
    });
    return new Map((await read(this.db)).map((review) => [review.entryId, review]));
  }

  async listReviews(owner: string, status?: ReviewStatus): Promise<ReviewRow[]> {
    let query = this.db
      .selectFrom('register_reviews')
      .selectAll()
      .where('owner', '=', owner)
      .orderBy('opened_at', 'desc')
      .limit(500);
    if (status) query = query.where('status', '=', status);
    return (await query.execute()).map(reviewOf);
  }

  /**
   * The owner's decision on a pending review: `confirmed` (the block stands) or `cleared` (the
   * hit is not this person, for this requester and case). Decided once; false when the review is
   * not the owner's or is no longer pending.
   */
  async decide(
    reviewId: string,
    owner: string,
    decision: 'confirmed' | 'cleared',
    reason: string,
    actor: string,
  ): Promise<ReviewRow | undefined> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('register_reviews')
        .set({
          status: decision,
          decided_at: now,
          decided_by: actor,
          reason: this.cipher.seal('register_reviews.reason', reviewId, { reason }),
        })
        .where('id', '=', reviewId)
        .where('owner', '=', owner)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await this.audit.record(
        {
          event: decision === 'cleared' ? 'register.review-cleared' : 'register.review-confirmed',
          actor,
          details: {
            reviewId,
            entryId: row.entry_id,
            requester: row.requester,
            caseReference: row.case_reference,
          },
        },
        trx,
      );
      return reviewOf(row);
    });
  }

  /** One register change: the next version, taken under the state row's lock, and a NOTIFY. */
  private change<T>(work: (trx: Transaction<Database>, version: string) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const { version } = await trx
        .updateTable('register_state')
        .set({ version: sql`version + 1` })
        .where('id', '=', 1)
        .returning('version')
        .executeTakeFirstOrThrow();
      const result = await work(trx, String(version));
      await sql`select pg_notify(${REGISTER_CHANNEL}, current_schema())`.execute(trx);
      return result;
    });
  }
}

function reviewOf(row: {
  id: string;
  entry_id: string;
  owner: string;
  requester: string;
  case_reference: string | null;
  recipient_states: string[];
  status: ReviewStatus;
  opened_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
}): ReviewRow {
  return {
    id: row.id,
    entryId: row.entry_id,
    owner: row.owner,
    requester: row.requester,
    caseReference: row.case_reference,
    recipientStates: row.recipient_states,
    status: row.status,
    openedAt: row.opened_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
  };
}
