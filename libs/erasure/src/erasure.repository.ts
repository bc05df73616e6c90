import { sql, type Transaction } from 'kysely';
import { Injectable } from '@nestjs/common';
import type { EnvelopePayload } from '#libs/envelope';
import { PENDING_OUTBOUND } from '#libs/messaging';
import { ColumnCipher, InjectDatabase, type Database, type Db } from '#libs/persistence';
import type { FileRecord, RequestRecord, RetentionPeriod, RetentionProfile } from '#libs/retention';

export type Trx = Transaction<Database>;

/** The instant a period before `now` began: rows older than it may be due (the policy judges). */
function cutoff(now: Date, period: RetentionPeriod): Date {
  const at = new Date(now.getTime());
  if (period.unit === 'years') at.setUTCFullYear(at.getUTCFullYear() - period.amount);
  else at.setTime(now.getTime() - period.amount * UNIT_MS[period.unit]);
  return at;
}

const UNIT_MS: Record<Exclude<RetentionPeriod['unit'], 'years'>, number> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
};

/** A hold in force on the row's request or its case, for the row's authority. */
const heldSql = (authority: string, requestId: string, caseReference: string) =>
  sql<boolean>`exists (select 1 from legal_holds h where h.released_at is null
    and h.authority = ${sql.ref(authority)}
    and (h.request_id = ${sql.ref(requestId)} or h.case_reference = ${sql.ref(caseReference)}))`;

export interface ErasedMessage {
  id: string;
  envelopeSha256: string | null;
}

/** A decided supervised submission whose texts are due: what the audit entry names. */
export interface SupervisedCandidate {
  id: string;
  authority: string;
  status: string;
  decidedAt: Date;
  rules: string[];
}

export interface FileLocation {
  messageId: string;
  position: number;
  direction: 'inbound' | 'outbound';
  uploadId: string | null;
  sha256: string;
}

/**
 * The erasure task's reads and writes. Candidates are read with FOR UPDATE SKIP LOCKED inside the
 * batch's transaction: two processes never erase the same row, and a crash rolls a batch back whole.
 */
@Injectable()
export class ErasureRepository {
  constructor(
    @InjectDatabase() readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /**
   * Decided supervised submissions (acknowledged, declined, blocked) decided before `before`,
   * their texts not yet erased, under no hold: the longest decided first. A waiting one never is.
   */
  async lockSupervisedCandidates(
    trx: Trx,
    before: Date,
    limit: number,
  ): Promise<SupervisedCandidate[]> {
    const rows = await trx
      .selectFrom('supervised_submissions as s')
      .select(['s.id', 's.authority', 's.status', 's.decided_at', 's.warnings'])
      .where('s.status', 'in', ['acknowledged', 'declined', 'blocked'])
      .where('s.content_erased_at', 'is', null)
      .where('s.decided_at', '<=', before)
      // A hold on its request or case keeps it (the request id is text here, uuid in the holds).
      .where(
        sql<boolean>`not exists (select 1 from legal_holds h where h.released_at is null
          and h.authority = s.authority
          and (h.request_id::text = s.request_id or h.case_reference = s.case_reference))`,
      )
      .orderBy('s.decided_at')
      .limit(limit)
      .forUpdate('s')
      .skipLocked()
      .execute();
    return rows.map((row) => ({
      id: row.id,
      authority: row.authority,
      status: row.status,
      decidedAt: row.decided_at!,
      rules: (row.warnings as unknown as Array<{ ruleId: string }>).map((w) => w.ruleId),
    }));
  }

  /**
   * Erases a decided supervised submission's draft, warning texts, decline reason and a block's
   * message; its routing facts, rule ids and legal bases, decision and outcome's ids stay.
   */
  async eraseSupervised(trx: Trx, id: string, now: Date): Promise<void> {
    await trx
      .updateTable('supervised_submissions')
      .set({
        draft: null,
        explanations: null,
        reason: null,
        outcome: sql`outcome - 'message'`,
        content_erased_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '<>', 'awaiting-supervisor')
      .execute();
  }

  /**
   * Settled requests not yet erased, past their profile's period, no message of theirs still on
   * its way, no hold in force: the longest settled first.
   */
  async lockRequestCandidates(
    trx: Trx,
    profiles: readonly RetentionProfile[],
    now: Date,
    limit: number,
  ): Promise<Array<RequestRecord & { authority: string; caseReference: string }>> {
    if (profiles.length === 0) return [];
    const rows = await trx
      .selectFrom('requests as r')
      .select([
        'r.id',
        'r.authority',
        'r.case_reference',
        'r.procedure',
        'r.status',
        'r.updated_at',
        heldSql('r.authority', 'r.id', 'r.case_reference').as('held'),
      ])
      .where('r.content_erased_at', 'is', null)
      .where((eb) =>
        eb.or(
          profiles.map((profile) =>
            eb.and([
              eb('r.procedure', '=', profile.procedure),
              eb('r.status', 'in', [...profile.closedStatuses]),
              eb('r.updated_at', '<=', cutoff(now, profile.contentAfterClose)),
            ]),
          ),
        ),
      )
      .where(sql<boolean>`not ${heldSql('r.authority', 'r.id', 'r.case_reference')}`)
      .where(
        sql<boolean>`not exists (select 1 from messages m where m.request_id = r.id
          and m.direction = 'outbound' and m.status = any(${[...PENDING_OUTBOUND]}::text[]))`,
      )
      .orderBy('r.updated_at')
      .limit(limit)
      .forUpdate('r')
      .skipLocked()
      .execute();
    return rows.map((row) => ({
      requestId: row.id,
      authority: row.authority,
      caseReference: row.case_reference,
      procedure: row.procedure,
      status: row.status,
      statusSince: row.updated_at,
      held: row.held,
    }));
  }

  /**
   * Replaces the payload of every message of the request by its erasure stub and drops the
   * armored envelopes; digests, receipts and evidences stay. Returns what it erased.
   */
  async eraseMessagesOf(
    trx: Trx,
    requestId: string,
    profile: RetentionProfile,
    now: Date,
    note: string,
  ): Promise<ErasedMessage[]> {
    const rows = await trx
      .selectFrom('messages as m')
      .leftJoin('envelopes as e', 'e.message_id', 'm.id')
      .select(['m.id', 'm.payload', 'e.sha256'])
      .where('m.request_id', '=', requestId)
      .where('m.content_erased_at', 'is', null)
      .orderBy('m.created_at')
      .forUpdate('m')
      .execute();
    for (const row of rows) {
      const payload = this.cipher.open<EnvelopePayload>('messages.payload', row.id, row.payload);
      await trx
        .updateTable('messages')
        .set({
          payload: this.cipher.seal('messages.payload', row.id, erasedPayload(payload, note)),
          content_erased_at: now,
          retention_profile: profile.id,
        })
        .where('id', '=', row.id)
        .execute();
    }
    if (rows.length > 0) {
      await trx
        .updateTable('envelopes')
        .set({ armored: null })
        .where(
          'message_id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
    }
    return rows.map((row) => ({ id: row.id, envelopeSha256: row.sha256 }));
  }

  /** The request keeps its procedure and status (the thread's place); the rest of its state goes. */
  async eraseRequestState(
    trx: Trx,
    request: Pick<RequestRecord, 'requestId' | 'procedure' | 'status'>,
    now: Date,
  ): Promise<void> {
    await trx
      .updateTable('requests')
      .set({
        state: this.cipher.seal('requests.state', request.requestId, {
          procedure: request.procedure,
          status: request.status,
          contentErased: true,
        }),
        suggested_deadline: null,
        content_erased_at: now,
      })
      .where('id', '=', request.requestId)
      .execute();
  }

  /**
   * Files of procedures whose profile deletes them, not yet deleted, not held: with their age and
   * whether every member holds them (sent: every chunk acknowledged) or an officer here downloaded
   * them (received: a `file.retrieved` entry).
   */
  async lockFileCandidates(
    trx: Trx,
    profiles: readonly RetentionProfile[],
    now: Date,
    limit: number,
  ): Promise<Array<FileRecord & FileLocation>> {
    const withFiles = profiles.filter((profile) => profile.files);
    if (withFiles.length === 0) return [];
    const downloaded = sql<boolean>`((a.direction = 'outbound' and a.chunks_done >= a.chunk_count)
      or (a.direction = 'inbound' and exists (select 1 from audit_log l where l.message_id = a.message_id
        and l.event = 'file.retrieved' and l.details->>'attachment' = a.position::text)))`;
    const rows = await trx
      .selectFrom('message_attachments as a')
      .innerJoin('messages as m', 'm.id', 'a.message_id')
      .select([
        'a.message_id',
        'a.position',
        'a.direction',
        'a.upload_id',
        'a.sha256',
        'a.created_at',
        'm.procedure',
        downloaded.as('downloaded'),
      ])
      .where('a.files_erased_at', 'is', null)
      .where(sql<boolean>`not ${heldSql('m.authority', 'm.request_id', 'm.case_reference')}`)
      .where((eb) =>
        eb.or(
          withFiles.map((profile) =>
            eb.and([
              eb('m.procedure', '=', profile.procedure),
              profile.files!.onceDownloaded
                ? eb.or([eb('a.created_at', '<=', cutoff(now, profile.files!.maxAge)), downloaded])
                : eb('a.created_at', '<=', cutoff(now, profile.files!.maxAge)),
            ]),
          ),
        ),
      )
      .orderBy('a.created_at')
      .limit(limit)
      .forUpdate('a')
      .skipLocked()
      .execute();
    return rows.map((row) => ({
      messageId: row.message_id,
      position: row.position,
      direction: row.direction,
      uploadId: row.upload_id,
      sha256: row.sha256,
      procedure: row.procedure,
      keptSince: row.created_at,
      downloaded: row.downloaded,
      held: false,
    }));
  }

  async markFilesErased(trx: Trx, file: FileLocation, now: Date): Promise<void> {
    await trx
      .updateTable('message_attachments')
      .set({ files_erased_at: now })
      .where('message_id', '=', file.messageId)
      .where('position', '=', file.position)
      .execute();
  }

  /** The upload a sent file came from, once no copy still kept refers to it: gone too. */
  async releaseUploadIfUnused(trx: Trx, uploadId: string, now: Date): Promise<boolean> {
    const kept = await trx
      .selectFrom('message_attachments')
      .select('message_id')
      .where('upload_id', '=', uploadId)
      .where('files_erased_at', 'is', null)
      .executeTakeFirst();
    if (kept) return false;
    await trx
      .updateTable('uploads')
      .set({ state: 'expired', expired_at: now, updated_at: now })
      .where('id', '=', uploadId)
      .execute();
    return true;
  }
}

/**
 * What an erased message still says: its routing, threading and handling conditions, and in
 * place of the body the erasure note. Its files are listed by their kept manifests, not here.
 */
export function erasedPayload(payload: EnvelopePayload, note: string): EnvelopePayload {
  return {
    formatVersion: payload.formatVersion,
    messageId: payload.messageId,
    procedure: payload.procedure,
    messageType: payload.messageType,
    requestId: payload.requestId,
    deadlineProfiles: payload.deadlineProfiles,
    sender: payload.sender,
    recipient: payload.recipient,
    createdAt: payload.createdAt,
    inReplyTo: payload.inReplyTo,
    caseReference: payload.caseReference,
    handling: payload.handling,
    body: { contentErased: note },
    attachments: [],
  };
}
