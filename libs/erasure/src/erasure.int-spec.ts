import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { scopeOf, type Principal } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import type { EnvelopePayload } from '#libs/envelope';
import { FILES_CONFIG } from '#libs/files';
import { inboundChunksDir, inboundFileOf, outboundChunksDir } from '#libs/messaging';
import { Clock } from '#libs/node-config';
import { ColumnCipher, DATABASE } from '#libs/persistence';
import { RetentionPolicy, type LoadedRetention, type RetentionProfile } from '#libs/retention';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import {
  EraseDueContent,
  ERASURE_SETTINGS,
  SUPERVISED_LEGAL_BASIS,
} from './erase-due-content.use-case.js';
import { ErasureRepository } from './erasure.repository.js';
import { LegalHolds } from './legal-holds.js';
import { RETENTION } from './retention-profiles.js';

/*
 * The erasure task against a real PostgreSQL schema and real files on disk: what is due goes, in
 * one transaction per batch; what is held, open, on its way or not yet due stays; the audit chain
 * still verifies and names what was erased without any of its content.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
/** A name from a body: it must leave the payload and never enter the audit trail. */
const SECRET = 'Blessing Eze';

class TestClock extends Clock {
  at = new Date('2027-01-10T08:00:00Z');
  now(): Date {
    return new Date(this.at);
  }
}

const MLA: RetentionProfile = {
  id: 'mla-test',
  procedure: 'mla',
  legalBasis: 'test basis for mla',
  check: true,
  closedStatuses: ['withdrawn', 'closed'],
  contentAfterClose: { amount: 30, unit: 'days' },
};
const JIT: RetentionProfile = {
  id: 'jit-test',
  procedure: 'jit',
  legalBasis: 'Reg. (EU) 2023/969',
  check: false,
  closedStatuses: ['closed'],
  contentAfterClose: { amount: 4, unit: 'weeks' },
  files: { maxAge: { amount: 4, unit: 'weeks' }, onceDownloaded: true },
};

const supervisor: Principal = {
  username: 'fr.supervisor',
  kind: 'person',
  authorityId: FR,
  roles: ['supervisor'],
  jits: [],
};

describe('erasure under retention profiles (real PostgreSQL)', () => {
  let database: FreshDatabase;
  let module: TestingModule;
  let erase: EraseDueContent;
  let audit: AuditTrail;
  let holds: LegalHolds;
  let cipher: ColumnCipher;
  const clock = new TestClock();
  const filesDir = mkdtempSync(join(tmpdir(), 'erasure-files-'));
  const DAY = 86_400_000;

  beforeAll(async () => {
    database = await freshDatabase('erasure');
    cipher = database.cipher;
    const retention: LoadedRetention = { policy: new RetentionPolicy([MLA, JIT]), digest: 'test' };
    module = await Test.createTestingModule({
      providers: [
        { provide: DATABASE, useValue: database.db },
        { provide: ColumnCipher, useValue: cipher },
        { provide: Clock, useValue: clock },
        { provide: RETENTION, useValue: retention },
        {
          provide: ERASURE_SETTINGS,
          useValue: { batchSize: 2, maxBatches: 50, supervisedAfterMs: 30 * 86_400_000 },
        },
        { provide: FILES_CONFIG, useValue: { dir: filesDir } },
        AuditTrail,
        ErasureRepository,
        EraseDueContent,
        LegalHolds,
      ],
    }).compile();
    erase = module.get(EraseDueContent);
    audit = module.get(AuditTrail);
    holds = module.get(LegalHolds);
    await database.db
      .insertInto('cases')
      .values(
        ['FR-2026-1', 'FR-2026-2', 'JIT-2026-1'].map((reference) => ({
          reference,
          opened_at: clock.now(),
          opened_by: 'test',
        })),
      )
      .execute();
  });

  afterAll(async () => {
    await module?.close();
    await database?.close();
    rmSync(filesDir, { recursive: true, force: true });
  });

  /** A request with one outbound message (sealed payload naming a person), envelope and receipt. */
  async function request(options: {
    procedure?: 'mla' | 'jit';
    status: string;
    settledDaysAgo: number;
    caseReference?: string;
    messageStatus?: string;
  }): Promise<{ requestId: string; messageId: string }> {
    const requestId = uuidv7();
    const messageId = uuidv7();
    const procedure = options.procedure ?? 'mla';
    const caseReference = options.caseReference ?? 'FR-2026-1';
    const settledAt = new Date(clock.now().getTime() - options.settledDaysAgo * DAY);
    await database.db
      .insertInto('requests')
      .values({
        id: requestId,
        authority: FR,
        case_reference: caseReference,
        procedure,
        role: 'requesting',
        counterparts: [NG],
        status: options.status,
        state: cipher.seal('requests.state', requestId, {
          procedure,
          status: options.status,
          note: SECRET,
        }),
        deadline_profiles: [],
        suggested_deadline: null,
        opened_at: settledAt,
        updated_at: settledAt,
      })
      .execute();
    const payload: EnvelopePayload = {
      formatVersion: 1,
      messageId,
      procedure,
      messageType: 'request',
      requestId,
      deadlineProfiles: [],
      sender: FR,
      recipient: NG,
      createdAt: settledAt.toISOString(),
      inReplyTo: null,
      caseReference,
      handling: { permittedPurpose: 'investigation', confidential: true, noOnwardTransferTo: [] },
      body: { persons: [{ names: SECRET }], summaryOfFacts: `facts about ${SECRET}` },
      attachments: [],
    };
    await database.db
      .insertInto('messages')
      .values({
        id: messageId,
        direction: 'outbound',
        status: options.messageStatus ?? 'delivered',
        procedure,
        message_type: 'request',
        sender: FR,
        recipient: NG,
        case_reference: caseReference,
        in_reply_to: null,
        request_id: requestId,
        created_at: settledAt,
        payload: cipher.seal('messages.payload', messageId, payload),
        correlation_id: randomUUID(),
        retry_until: null,
        status_changed_at: settledAt,
      })
      .execute();
    await database.db
      .insertInto('envelopes')
      .values({
        message_id: messageId,
        armored: `-----BEGIN PGP MESSAGE-----\n${SECRET}`,
        sha256: 'ab'.repeat(32),
        stored_at: settledAt,
      })
      .execute();
    await database.db
      .insertInto('receipts')
      .values({
        message_id: messageId,
        armored: 'signed receipt',
        envelope_sha256: 'ab'.repeat(32),
        received_at: settledAt.toISOString(),
        signer_fingerprint: 'f'.repeat(40),
        stored_at: settledAt,
      })
      .execute();
    return { requestId, messageId };
  }

  async function messageRow(id: string) {
    const row = await database.db
      .selectFrom('messages')
      .innerJoin('envelopes', 'envelopes.message_id', 'messages.id')
      .select([
        'messages.payload',
        'messages.content_erased_at',
        'messages.retention_profile',
        'envelopes.armored',
        'envelopes.sha256',
      ])
      .where('messages.id', '=', id)
      .executeTakeFirstOrThrow();
    return { ...row, payload: cipher.open<EnvelopePayload>('messages.payload', id, row.payload) };
  }

  it('erases settled requests past their period, keeps the rest, and the chain still verifies', async () => {
    const due = await request({ status: 'withdrawn', settledDaysAgo: 31 });
    const notYet = await request({ status: 'withdrawn', settledDaysAgo: 29 });
    const open = await request({ status: 'in-execution', settledDaysAgo: 400 });
    const onItsWay = await request({
      status: 'withdrawn',
      settledDaysAgo: 60,
      messageStatus: 'waiting-for-retry',
    });
    const held = await request({
      status: 'closed',
      settledDaysAgo: 90,
      caseReference: 'FR-2026-2',
    });
    const caller = {
      actor: 'fr.supervisor@FR-MOJ-BEPI',
      correlationId: randomUUID(),
      scope: scopeOf(supervisor),
    };
    const hold = await holds.set(
      { caseReference: 'FR-2026-2' },
      `proceedings against ${SECRET}`,
      caller,
    );
    // Setting it again is the same hold.
    expect((await holds.set({ caseReference: 'FR-2026-2' }, 'again', caller)).id).toBe(hold.id);

    expect(await erase.run()).toEqual({ requests: 1, messages: 1, files: 0, supervised: 0 });

    const erased = await messageRow(due.messageId);
    expect(erased.payload.body).toEqual({
      contentErased: `content erased under retention profile mla-test on 2027-01-10`,
    });
    expect(erased.payload.requestId).toBe(due.requestId);
    expect(JSON.stringify(erased.payload)).not.toContain(SECRET);
    expect(erased).toMatchObject({
      armored: null,
      sha256: 'ab'.repeat(32),
      retention_profile: 'mla-test',
    });
    const state = await database.db
      .selectFrom('requests')
      .select(['state', 'content_erased_at'])
      .where('id', '=', due.requestId)
      .executeTakeFirstOrThrow();
    expect(cipher.open('requests.state', due.requestId, state.state)).toEqual({
      procedure: 'mla',
      status: 'withdrawn',
      contentErased: true,
    });
    expect(
      await database.db
        .selectFrom('receipts')
        .select('message_id')
        .where('message_id', '=', due.messageId)
        .executeTakeFirst(),
    ).toBeDefined();

    for (const kept of [notYet, open, onItsWay, held]) {
      const row = await messageRow(kept.messageId);
      expect(row.content_erased_at).toBeNull();
      expect(JSON.stringify(row.payload)).toContain(SECRET);
      expect(row.armored).toContain(SECRET);
    }

    // Run again: nothing more (idempotent).
    expect(await erase.run()).toEqual({ requests: 0, messages: 0, files: 0, supervised: 0 });

    // The hold released, its period long past: erased at the next run. Two days on, notYet too.
    await holds.release({ caseReference: 'FR-2026-2' }, 'proceedings closed', caller);
    clock.at = new Date(clock.at.getTime() + 2 * DAY);
    expect(await erase.run()).toEqual({ requests: 2, messages: 2, files: 0, supervised: 0 });
    expect((await messageRow(held.messageId)).content_erased_at).not.toBeNull();
    expect((await messageRow(open.messageId)).content_erased_at).toBeNull();
    expect((await messageRow(onItsWay.messageId)).content_erased_at).toBeNull();

    const entries = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('event', 'like', 'retention.%')
      .orderBy('id')
      .execute();
    expect(entries.map((e) => [e.event, e.details.kind ?? null])).toEqual([
      ['retention.hold-set', null],
      ['retention.erased', 'message-content'],
      ['retention.erased', 'request-state'],
      ['retention.hold-released', null],
      ...[1, 2].flatMap(() => [
        ['retention.erased', 'message-content'],
        ['retention.erased', 'request-state'],
      ]),
    ]);
    expect(entries[1]).toMatchObject({
      message_id: due.messageId,
      details: {
        requestId: due.requestId,
        profile: 'mla-test',
        legalBasis: 'test basis for mla',
        envelopeSha256: 'ab'.repeat(32),
      },
    });
    // Names and ids only: no content, not even the hold's reason.
    const whole = await database.db.selectFrom('audit_log').select('details').execute();
    expect(JSON.stringify(whole)).not.toContain(SECRET);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('rolls a failing batch back whole, and erases it at the next run', async () => {
    const first = await request({ status: 'withdrawn', settledDaysAgo: 100 });
    const second = await request({ status: 'withdrawn', settledDaysAgo: 99 });
    const repository = module.get(ErasureRepository);
    const original = repository.eraseRequestState.bind(repository);
    let calls = 0;
    // The second request of the batch fails (a crash between two statements, as it were).
    repository.eraseRequestState = async (...args) => {
      if (++calls === 2) throw new Error('injected fault');
      return original(...args);
    };
    try {
      await expect(erase.run()).rejects.toThrow('injected fault');
    } finally {
      repository.eraseRequestState = original;
    }
    expect((await messageRow(first.messageId)).content_erased_at).toBeNull();
    expect(await erase.run()).toMatchObject({ requests: 2, messages: 2 });
    expect((await messageRow(second.messageId)).content_erased_at).not.toBeNull();
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('never erases a request twice when two processes run at once', async () => {
    const made = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        request({ status: 'withdrawn', settledDaysAgo: 200 + i }),
      ),
    );
    const [a, b] = await Promise.all([erase.run(), erase.run()]);
    expect(a.requests + b.requests).toBe(7);
    const entries = await database.db
      .selectFrom('audit_log')
      .select('message_id')
      .where('event', '=', 'retention.erased')
      .where(
        'message_id',
        'in',
        made.map((m) => m.messageId),
      )
      .execute();
    expect(entries).toHaveLength(7);
  });

  it('deletes JIT files at four weeks or once downloaded, never under a hold; the manifest stays', async () => {
    const { messageId: sent } = await request({
      procedure: 'jit',
      status: 'active',
      settledDaysAgo: 1,
      caseReference: 'JIT-2026-1',
    });
    const { messageId: young } = await request({
      procedure: 'jit',
      status: 'active',
      settledDaysAgo: 1,
      caseReference: 'JIT-2026-1',
    });
    const { requestId: heldRequest, messageId: old } = await request({
      procedure: 'jit',
      status: 'active',
      settledDaysAgo: 40,
      caseReference: 'JIT-2026-1',
    });
    const attach = async (
      messageId: string,
      direction: 'inbound' | 'outbound',
      ageDays: number,
      done: boolean,
    ) => {
      await database.db
        .insertInto('message_attachments')
        .values({
          message_id: messageId,
          position: 0,
          direction,
          upload_id: null,
          file_id: randomUUID(),
          manifest: cipher.seal('message_attachments.manifest', `${messageId}:0`, {
            name: 'log.pdf',
          }),
          category: 'evidence-item',
          size: 10,
          sha256: 'cd'.repeat(32),
          chunk_count: 2,
          chunks_done: done ? 2 : 1,
          received_sha256: null,
          created_at: new Date(clock.now().getTime() - ageDays * DAY),
          updated_at: clock.now(),
          completed_at: null,
        })
        .execute();
      const chunks =
        direction === 'inbound'
          ? inboundChunksDir(filesDir, messageId, 0)
          : outboundChunksDir(filesDir, messageId, 0);
      mkdirSync(chunks, { recursive: true });
      writeFileSync(join(chunks, 'chunk-000000.pgp'), 'sealed');
      if (direction === 'inbound') {
        const { path } = inboundFileOf(filesDir, messageId, 0);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, 'at rest');
      }
      return chunks;
    };
    const sentChunks = await attach(sent, 'outbound', 1, true); // every chunk acknowledged
    const youngChunks = await attach(young, 'outbound', 1, false);
    const oldChunks = await attach(old, 'outbound', 40, false);
    const caller = {
      actor: 'fr.supervisor@FR-MOJ-BEPI',
      correlationId: randomUUID(),
      scope: scopeOf(supervisor),
    };
    await holds.set({ requestId: heldRequest }, 'inquiry', caller);

    expect(await erase.run()).toMatchObject({ files: 1 });
    expect(existsSync(sentChunks)).toBe(false);
    expect(existsSync(youngChunks)).toBe(true);
    expect(existsSync(oldChunks)).toBe(true);

    await holds.release({ requestId: heldRequest }, 'inquiry over', caller);
    expect(await erase.run()).toMatchObject({ files: 1 });
    expect(existsSync(oldChunks)).toBe(false);
    const rows = await database.db
      .selectFrom('message_attachments')
      .select(['message_id', 'files_erased_at', 'manifest', 'sha256'])
      .execute();
    expect(rows.find((r) => r.message_id === old)).toMatchObject({ sha256: 'cd'.repeat(32) });
    expect(rows.find((r) => r.message_id === young)?.files_erased_at).toBeNull();
    const entry = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('message_id', '=', old)
      .where('event', '=', 'retention.erased')
      .executeTakeFirstOrThrow();
    expect(entry.details).toMatchObject({
      kind: 'files',
      reason: 'max-age',
      profile: 'jit-test',
      legalBasis: 'Reg. (EU) 2023/969',
      sha256: 'cd'.repeat(32),
    });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('erases the texts of decided supervised submissions 30 days after the decision, in batches, never a waiting one; the routing and rules stay', async () => {
    const now = clock.now().getTime();
    /** A supervised submission decided (or not) `decidedDaysAgo` days ago, its texts naming SECRET. */
    const supervised = async (
      status: 'awaiting-supervisor' | 'acknowledged' | 'declined' | 'blocked',
      decidedDaysAgo: number,
    ): Promise<string> => {
      const id = uuidv7();
      const at = new Date(now - decidedDaysAgo * DAY);
      const decided = status !== 'awaiting-supervisor';
      await database.db
        .insertInto('supervised_submissions')
        .values({
          id,
          authority: FR,
          procedure: 'mla',
          message_type: 'request',
          channel: 'mla',
          case_reference: 'FR-2026-1',
          request_id: null,
          recipients: [NG],
          submitted_by: `fr.caseworker@${FR}`,
          correlation_id: randomUUID(),
          context: JSON.stringify({ actor: `fr.caseworker@${FR}` }),
          draft: cipher.seal('supervised_submissions.draft', id, { body: { victim: SECRET } }),
          draft_sha256: randomUUID(),
          warnings: JSON.stringify([{ ruleId: 'W-6', legalBasis: ['1951 Refugee Convention'] }]),
          explanations: cipher.seal('supervised_submissions.explanations', id, [
            { ruleId: 'W-6', text: `${SECRET} applied for asylum` },
          ]),
          status,
          decided_by: decided ? `fr.supervisor@${FR}` : null,
          decided_at: decided ? at : null,
          reason:
            status === 'declined'
              ? cipher.seal('supervised_submissions.reason', id, `ask ${SECRET} first`)
              : null,
          outcome:
            status === 'blocked'
              ? JSON.stringify({
                  code: 'POLICY_BLOCKED',
                  message: `${SECRET} is shielded`,
                  rules: ['H-1'],
                })
              : status === 'acknowledged'
                ? JSON.stringify({ requestId: 'r-1', messages: [] })
                : null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      return id;
    };
    const row = (id: string) =>
      database.db
        .selectFrom('supervised_submissions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const erasedEntries = () =>
      database.db
        .selectFrom('audit_log')
        .select(['details'])
        .where('event', '=', 'retention.erased')
        .where(sql<string>`details->>'kind'`, '=', 'supervised-submission')
        .execute();

    const declined = await supervised('declined', 31);
    const acknowledged = await supervised('acknowledged', 40);
    const blocked = await supervised('blocked', 45);
    const notYet = await supervised('blocked', 29);
    const waiting = await supervised('awaiting-supervisor', 400);
    await audit.record({
      event: 'supervision.declined',
      actor: `fr.supervisor@${FR}`,
      details: { supervisedSubmissionId: declined, rules: ['W-6'] },
      annex: { reason: `ask ${SECRET} first` },
    });

    // Three due, in batches of two within one run.
    expect(await erase.run()).toMatchObject({ supervised: 3 });
    for (const id of [declined, acknowledged, blocked]) {
      const erased = await row(id);
      expect(erased).toMatchObject({
        draft: null,
        explanations: null,
        reason: null,
        recipients: [NG],
        case_reference: 'FR-2026-1',
        warnings: [{ ruleId: 'W-6', legalBasis: ['1951 Refugee Convention'] }],
      });
      expect(erased.content_erased_at).toEqual(clock.now());
      expect(JSON.stringify(erased.outcome ?? null)).not.toContain(SECRET);
    }
    expect((await row(blocked)).outcome).toEqual({ code: 'POLICY_BLOCKED', rules: ['H-1'] });
    expect((await row(acknowledged)).outcome).toEqual({ requestId: 'r-1', messages: [] });
    for (const id of [notYet, waiting]) {
      expect((await row(id)).draft).not.toBeNull();
      expect((await row(id)).content_erased_at).toBeNull();
    }
    // Audited by id, status, rules and legal basis; no content; the decline's annex gone too.
    const entries = await erasedEntries();
    expect(entries.map((e) => e.details.supervisedSubmissionId).sort()).toEqual(
      [declined, acknowledged, blocked].sort(),
    );
    expect(
      entries.find((e) => e.details.supervisedSubmissionId === declined)?.details,
    ).toMatchObject({
      status: 'declined',
      rules: ['W-6'],
      legalBasis: SUPERVISED_LEGAL_BASIS,
      auditAnnexesErased: 1,
    });
    expect(JSON.stringify(entries)).not.toContain(SECRET);
    const annexes = await database.db
      .selectFrom('audit_log')
      .select('annex')
      .where('event', '=', 'supervision.declined')
      .execute();
    expect(annexes).toEqual([{ annex: null }]);

    // A second run erases nothing more.
    expect(await erase.run()).toMatchObject({ supervised: 0 });
    expect(await erasedEntries()).toHaveLength(3);

    // Later: the one decided 29 days ago goes; the waiting one never does.
    clock.at = new Date(now + 2 * DAY);
    expect(await erase.run()).toMatchObject({ supervised: 1 });
    expect((await row(notYet)).draft).toBeNull();
    clock.at = new Date(now + 1000 * DAY);
    expect(await erase.run()).toMatchObject({ supervised: 0 });
    expect((await row(waiting)).draft).not.toBeNull();
    expect(await audit.verify()).toMatchObject({ ok: true });
  });
});
