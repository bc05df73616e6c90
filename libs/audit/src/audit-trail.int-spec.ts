import { sql } from 'kysely';
import { SystemClock } from '#libs/node-config';
import { createDatabase, type Db } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { AuditTrail } from './audit-trail.js';

/*
 * The chain on a real schema, written and chained by one process while another verifies it: a
 * verification never reports a break that is not there, and still finds the ones that are.
 */

describe('the audit trail on PostgreSQL', () => {
  let database: FreshDatabase;
  let otherProcess: Db;
  let writer: AuditTrail;
  let verifier: AuditTrail;

  beforeAll(async () => {
    database = await freshDatabase('audit_trail');
    otherProcess = createDatabase(database.url, database.schema, 3);
    writer = new AuditTrail(database.db, new SystemClock(), database.cipher);
    verifier = new AuditTrail(otherProcess, new SystemClock(), database.cipher);
  });

  afterAll(async () => {
    await otherProcess.destroy();
    await database.close();
  });

  it('verifies while another process keeps writing and chaining', async () => {
    let writing = true;
    const writes = (async () => {
      for (let n = 0; writing; n += 1) {
        await writer.record({ event: 'key.loaded', actor: 'system', details: { n } });
        if (n % 3 === 0) await writer.chainPending();
      }
    })();
    const verifications = [];
    for (let round = 0; round < 40; round += 1) verifications.push(await verifier.verify(7));
    writing = false;
    await writes;
    expect(verifications.filter((result) => !result.ok)).toEqual([]);
    expect(Number(verifications.at(-1)!.headSeq)).toBeGreaterThan(0);
  });

  it('gives every entry one place when several processes chain at once', async () => {
    await writer.chainPending();
    const chainers = [
      writer,
      verifier,
      new AuditTrail(otherProcess, new SystemClock(), database.cipher),
    ];
    await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        writer.record({ event: 'key.loaded', actor: 'system', details: { parallel: n } }),
      ),
    );
    // Small batches, so that the chainers take turns over the same entries.
    const counts = await Promise.all(
      chainers.flatMap((chainer) => [chainer.chainPending(7), chainer.chainPending(7)]),
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(60);
    const { rows } = await sql<{ entries: number; places: number; unchained: number }>`
      select count(*)::int as entries, count(distinct seq)::int as places,
             count(*) filter (where seq is null)::int as unchained
      from audit_log`.execute(database.db);
    expect(rows[0].places).toBe(rows[0].entries);
    expect(rows[0].unchained).toBe(0);
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('keeps an annex sealed beside the chain, and the chain verifies once it is erased', async () => {
    const messageId = '01a246d6-8ab0-75e8-845d-ee088e8dcec2';
    const justification = 'BELLO Adaeze is the only witness; the JIT needs her statement';
    await writer.record({
      event: 'policy.decided',
      actor: 'supervisor@FR-MOJ-BEPI',
      messageId,
      details: { outcome: 'allow', acknowledgements: [{ ruleId: 'W-2' }] },
      annex: { justifications: [{ ruleId: 'W-2', justification }] },
    });
    const stored = async () =>
      (
        await sql<{
          details: Record<string, unknown>;
          annex: Buffer | null;
        }>`select details, annex from audit_log where message_id = ${messageId}`.execute(
          database.db,
        )
      ).rows[0];
    const { details, annex } = await stored();
    expect(details.annexSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(details)).not.toContain('BELLO');
    expect(annex!.toString('latin1')).not.toContain('BELLO');
    const [entry] = await verifier.entriesFor(messageId);
    expect(entry.annex).toEqual({ justifications: [{ ruleId: 'W-2', justification }] });

    // Only the annex may change, and only to nothing.
    await expect(
      sql`update audit_log set annex = ${Buffer.from('other')} where message_id = ${messageId}`.execute(
        database.db,
      ),
    ).rejects.toThrow('append-only');
    await expect(
      sql`update audit_log set annex = null, details = '{}' where message_id = ${messageId}`.execute(
        database.db,
      ),
    ).rejects.toThrow('append-only');
    expect(await writer.eraseAnnexesOf([messageId], database.db)).toBe(1);
    expect(await writer.eraseAnnexesOf([messageId], database.db)).toBe(0);
    expect((await stored()).annex).toBeNull();
    expect((await verifier.entriesFor(messageId))[0].annex).toBe('erased');
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('writes the entries of one change together, in their order, each with its own annex', async () => {
    const messageId = '01a246d6-8ab0-75e8-845d-ee088e8dcec3';
    await writer.recordAll([
      { event: 'message.sent', actor: 'officer@FR-MOJ-BEPI', messageId, details: { n: 1 } },
      {
        event: 'policy.decided',
        actor: 'officer@FR-MOJ-BEPI',
        messageId,
        details: { n: 2 },
        annex: { justifications: [{ ruleId: 'W-2', justification: 'the second one' }] },
      },
      { event: 'message.sent', actor: 'officer@FR-MOJ-BEPI', messageId, details: { n: 3 } },
    ]);
    await writer.chainPending();
    const entries = await verifier.entriesFor(messageId);
    expect(entries.map((entry) => [entry.event, entry.details.n, entry.annex ?? null])).toEqual([
      ['message.sent', 1, null],
      [
        'policy.decided',
        2,
        { justifications: [{ ruleId: 'W-2', justification: 'the second one' }] },
      ],
      ['message.sent', 3, null],
    ]);
    expect((await verifier.verify()).ok).toBe(true);
  });

  it('names a rewritten entry and a removed tail', async () => {
    await writer.chainPending();
    expect((await verifier.verify()).ok).toBe(true);
    // As someone with the database's owner rights would: past the append-only trigger.
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(database.db);
    await sql`update audit_log set details = '{"n":-1}' where seq = 2`.execute(database.db);
    expect((await verifier.verify()).firstBreak).toEqual({
      seq: '2',
      reason: 'entry-hash-mismatch',
    });
    await sql`delete from audit_log where seq >= 2`.execute(database.db);
    expect((await verifier.verify()).firstBreak).toEqual({ seq: '2', reason: 'sequence-gap' });
  });
});
