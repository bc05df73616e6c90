import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import {
  hashEntry,
  MAX_WITNESS_REQUEST_BYTES,
  signHeadStatement,
  verifyHeadStatement,
  WITNESS_PATH,
  type WitnessReport,
} from '#libs/audit';
import { generateAuthorityKeyPair, ROUTING_HEADERS, unlockPrivateKey } from '#libs/envelope';
import { LocalNetwork } from '#tools/local-network';
import { cli, keysOf, nodeDatabase, waitFor } from './support/network.js';

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';

interface Verification {
  ok: boolean;
  headSeq: string;
  firstBreak?: { seq: string; reason: string };
  witnesses?: WitnessReport;
}

/**
 * Peers witness each other's audit trail, across two real nodes: each signs its chain head every
 * half second and sends it to the other, which keeps it. A row of FR's trail rewritten with every
 * later hash re-computed (what an insider with database access would do) passes FR's own
 * `audit verify`, and is caught by `audit verify --witnesses` through the heads NG holds.
 */
describe('peers witness the audit trail', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  let ngDb: pg.Pool;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_witness',
      workDir: join(tmpdir(), 'gateway-e2e-witness'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4341,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4342,
        },
      ],
      env: { GATEWAY_AUDIT_WITNESS_INTERVAL_MS: '500' },
    });
    await network.startAll();
    frDb = nodeDatabase(network, FR);
    ngDb = nodeDatabase(network, NG);
  });

  afterAll(async () => {
    await network?.stopAll();
    await frDb?.end();
    await ngDb?.end();
  });

  /** The heads of `authority`'s chain that `db`'s node holds. */
  const heldHeads = async (db: pg.Pool, authority: string) =>
    (
      await db.query<{ seq: string; head_hash: string; statement: string }>(
        'select seq, head_hash, statement from audit_witnesses where authority = $1 order by seq',
        [authority],
      )
    ).rows;

  /** `audit verify [--witnesses]` on a node: its report and exit code. */
  const verify = async (authorityId: string, ...args: string[]) => {
    try {
      const { stdout } = await cli(network, authorityId, ['audit', 'verify', ...args]);
      return { exitCode: 0, report: JSON.parse(stdout) as Verification };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (!failed.stdout) throw error;
      return { exitCode: failed.code, report: JSON.parse(failed.stdout) as Verification };
    }
  };

  const post = (authorityId: string, body: string, headers: Record<string, string>) =>
    fetch(new URL(WITNESS_PATH, network.url(authorityId)), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...headers },
      body,
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { stored?: boolean; error?: { code: string } },
    }));

  const fromFr = { [ROUTING_HEADERS.sender]: FR, [ROUTING_HEADERS.recipient]: NG };

  it("keeps each peer's signed head, as its peer signed it, once", async () => {
    const [head] = await waitFor(async () => {
      const rows = await heldHeads(ngDb, FR);
      return rows.length > 0 && rows;
    }, "FR's audit head at NG");
    await waitFor(async () => (await heldHeads(frDb, NG)).length > 0, "NG's audit head at FR");
    // FR's own signature, made with the key FR's directory entry lists.
    const { publicKey } = await keysOf(network, FR);
    const signer = { id: FR, publicKeys: [publicKey], signatureRefusal: () => undefined };
    const { statement } = await verifyHeadStatement(head.statement, signer);
    expect(statement).toMatchObject({ authority: FR, seq: head.seq, headHash: head.head_hash });

    // The same statement again is stored once; so are FR's re-signed heads while its chain rests.
    const again = await post(NG, head.statement, fromFr);
    expect(again).toEqual({ status: 200, body: { stored: false } });
    const { rows } = await ngDb.query<{ n: string }>(
      `select count(*) as n from audit_witnesses where authority = $1 and seq = $2`,
      [FR, head.seq],
    );
    expect(rows[0].n).toBe('1');
  });

  it('refuses junk, strangers and impostors with stable codes, each audited', async () => {
    const impostorPair = await generateAuthorityKeyPair({
      authorityId: FR,
      authorityName: 'impostor',
      passphrase: 'pw',
    });
    const impostor = await unlockPrivateKey(impostorPair.privateKeyArmored, 'pw');
    const forged = await signHeadStatement(
      {
        type: 'audit-head',
        formatVersion: 1,
        authority: FR,
        seq: '1',
        headHash: 'f'.repeat(64),
        signedAt: new Date().toISOString(),
      },
      impostor,
    );
    const cases: Array<[string, string, Record<string, string>, number, string]> = [
      ['junk', 'hello', fromFr, 400, 'ENVELOPE_MALFORMED'],
      ['no routing', 'hello', {}, 400, 'ENVELOPE_ROUTING_MISSING'],
      [
        'a stranger',
        'hello',
        { [ROUTING_HEADERS.sender]: 'XX-NOBODY', [ROUTING_HEADERS.recipient]: NG },
        403,
        'UNKNOWN_SENDER',
      ],
      ['an impostor', forged, fromFr, 403, 'SIGNATURE_INVALID'],
      ['too large', 'A'.repeat(MAX_WITNESS_REQUEST_BYTES + 1), fromFr, 413, 'ENVELOPE_TOO_LARGE'],
    ];
    for (const [what, body, headers, status, code] of cases) {
      const answer = await post(NG, body, headers);
      expect({ what, status: answer.status, code: answer.body.error?.code }).toEqual({
        what,
        status,
        code,
      });
    }
    // Nothing stored from any of them; each refusal is in NG's audit trail with its code.
    expect((await heldHeads(ngDb, FR)).some((row) => row.head_hash === 'f'.repeat(64))).toBe(false);
    const audited = await waitFor(async () => {
      const { rows } = await ngDb.query<{ code: string }>(
        `select details->>'code' as code from audit_log where event = 'audit.witness-refused'`,
      );
      const codes = new Set(rows.map((row) => row.code));
      return cases.every(([, , , , code]) => codes.has(code)) && codes;
    }, 'the refusals in the audit trail');
    expect([...audited].sort()).toEqual(cases.map(([, , , , code]) => code).sort());
  });

  it("reports a rewritten audit row on FR through the heads NG holds, where FR's own check sees nothing", async () => {
    // A first witnessed head; then FR's chain moves on (the check itself is audited) and NG
    // witnesses a later head too.
    const first = BigInt((await heldHeads(ngDb, FR))[0].seq);
    const honest = await verify(FR, '--witnesses');
    expect(honest.exitCode).toBe(0);
    expect(honest.report.witnesses).toMatchObject({
      ok: true,
      mismatches: [],
      witnesses: [{ peer: NG }],
      unanswered: [],
    });
    const later = await waitFor(async () => {
      const rows = await heldHeads(ngDb, FR);
      const seq = rows.map((row) => BigInt(row.seq)).find((s) => s > first);
      return seq ?? undefined;
    }, 'a later head of FR at NG');

    // The insider: the entry just after the first witnessed head is rewritten, and every hash
    // from it to the head re-computed, under the chainer's own lock, triggers off.
    const rewritten = first + 1n;
    const client = await frDb.connect();
    try {
      await client.query('begin');
      // The chainer's lock is the head's row lock: no entry is chained meanwhile.
      await client.query(`select seq from audit_head where id = 1 for update`);
      await client.query(`set local session_replication_role = replica`);
      await client.query(
        `update audit_log set details = details || '{"rewritten": true}'::jsonb where seq = $1`,
        [rewritten.toString()],
      );
      const { rows } = await client.query<{
        id: string;
        seq: string;
        occurred_at: Date;
        event: string;
        actor: string;
        message_id: string | null;
        correlation_id: string | null;
        details: Record<string, unknown>;
        prev_hash: string;
      }>(`select * from audit_log where seq >= $1 order by seq`, [rewritten.toString()]);
      let prevHash = rows[0].prev_hash;
      for (const row of rows) {
        const hash = hashEntry({
          seq: row.seq,
          occurredAt: row.occurred_at.toISOString(),
          event: row.event,
          actor: row.actor,
          messageId: row.message_id,
          correlationId: row.correlation_id,
          details: row.details,
          prevHash,
        });
        await client.query('update audit_log set prev_hash = $2, hash = $3 where id = $1', [
          row.id,
          prevHash,
          hash,
        ]);
        prevHash = hash;
      }
      await client.query('update audit_head set hash = $1 where id = 1', [prevHash]);
      await client.query('commit');
    } finally {
      client.release();
    }

    // FR's own chain is consistent again: alone, it cannot tell.
    const alone = await verify(FR);
    expect(alone.exitCode).toBe(0);
    expect(alone.report.ok).toBe(true);

    // NG holds FR's signature on the hash FR's chain had at `later`: FR's history has changed.
    const witnessed = await verify(FR, '--witnesses');
    expect(witnessed.exitCode).toBe(3);
    expect(witnessed.report.ok).toBe(true);
    const report = witnessed.report.witnesses!;
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'AUDIT_WITNESS_MISMATCH',
          seq: later.toString(),
          witness: NG,
        }),
      ]),
    );
    // The rewrite is bracketed: after the last head still agreeing, at or before the first not.
    expect(BigInt(report.agreesUpToSeq!)).toBeLessThan(rewritten);
    expect(BigInt(report.firstMismatchSeq!)).toBeGreaterThanOrEqual(rewritten);
    expect(report.mismatches.every((m) => BigInt(m.seq) >= rewritten)).toBe(true);
  });
});
