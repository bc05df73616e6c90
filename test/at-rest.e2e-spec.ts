import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { RequestDetail } from '#libs/cases';
import {
  LocalNetwork,
  MLA_ANSWERS,
  mlaRequest,
  repoRoot,
  SAMPLE_HANDLING,
} from '#tools/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import {
  caseFactsHistoryRowId,
  caseFactsRowId,
  createDatabase,
  migrateToLatest,
  procedureFactsRowId,
  readDataKeys,
} from '#libs/persistence';
import * as spine from '../libs/persistence/src/migrations/0001-spine.js';
import * as cases from '../libs/persistence/src/migrations/0002-cases.js';
import * as safeguards from '../libs/persistence/src/migrations/0003-safeguards.js';
import { api, nodeDatabase, run, signIn, waitFor } from './support/network.js';

/*
 * Case content at rest: after a real exchange, the PostgreSQL schema of each node holds no
 * plaintext of what the bodies and the case facts said (the columns that hold it are sealed with
 * the node's data key), while the API still answers with it. A ciphertext moved to another row
 * does not open, and a node without a valid data key does not start.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const CASE = 'FR-PNAT-2026-0731';
const FACTS_CASE = 'FR-PNAT-2026-0732';
/** A word found nowhere else: letters only, so that every schema accepts it where text goes. */
const MARKER = `Xq${Array.from(randomBytes(12), (byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

const SEALED_COLUMNS = [
  'messages.payload',
  'requests.state',
  'requests.suggested_deadline',
  'deadlines.clock',
  'case_facts.facts',
  'case_facts_history.change',
];

interface Hit {
  column: string;
  rows: number;
}

describe('case content at rest', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};
  let requestId: string;
  let requestMessageId: string;
  let answerMessageId: string;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_at_rest',
      workDir: join(tmpdir(), 'gateway-e2e-at-rest'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4271,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4272,
        },
      ],
      env: {
        LOG_LEVEL: 'debug',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
      },
    });
    await signIn(network);
    await network.startAll();
    for (const id of [FR, NG]) db[id] = nodeDatabase(network, id);
  });

  afterAll(async () => {
    await network?.stopAll();
    for (const pool of Object.values(db)) await pool.end();
  });

  const url = (authorityId: string, path: string) => `${network.url(authorityId)}${path}`;
  const message = async (authorityId: string, messageId: string) =>
    api<MessageDetail & { error?: { code: string; message: string } }>(
      url(authorityId, `/api/v1/messages/${messageId}`),
    );
  const delivered = (messageId: string, from: string, to: string) =>
    waitFor(
      async () =>
        (await message(from, messageId)).body.status === 'delivered' &&
        (await message(to, messageId)).status === 200,
      `delivery of ${messageId} from ${from} to ${to}`,
    );

  /**
   * Every cell of the node's schema that holds `needle`: text, json and array columns as text,
   * bytea columns byte for byte; a binary needle, bytea columns only.
   */
  async function search(authorityId: string, needle: string | Buffer): Promise<Hit[]> {
    const pool = db[authorityId];
    const { rows: columns } = await pool.query<{ table: string; column: string; type: string }>(
      `select c.table_name as table, c.column_name as column, c.data_type as type
         from information_schema.columns c
         join information_schema.tables t
           on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = $1 and t.table_type = 'BASE TABLE'
          and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')`,
      [network.schema(authorityId)],
    );
    expect(columns.length).toBeGreaterThan(30);
    const bytes = Buffer.isBuffer(needle) ? needle : Buffer.from(needle, 'utf8');
    const hits: Hit[] = [];
    for (const { table, column, type } of columns) {
      // A binary needle (a key id) can only be in a bytea cell, and may hold a NUL that no text can.
      if (Buffer.isBuffer(needle) && type !== 'bytea') continue;
      const cell = `"${column}"`;
      const { rows } = await pool.query<{ n: number }>(
        type === 'bytea'
          ? `select count(*)::int as n from "${table}" where position($1::bytea in ${cell}) > 0`
          : `select count(*)::int as n from "${table}" where ${cell}::text like $1`,
        [type === 'bytea' ? bytes : `%${bytes.toString('utf8')}%`],
      );
      if (rows[0].n > 0) hits.push({ column: `${table}.${column}`, rows: rows[0].n });
    }
    return hits;
  }

  it('exchanges a request and its acknowledgement whose bodies carry the marker', async () => {
    const body = mlaRequest(FR);
    const draft = {
      recipients: [NG],
      procedure: 'mla',
      messageType: 'request',
      caseReference: CASE,
      handling: SAMPLE_HANDLING,
      body: {
        ...body,
        summaryOfFacts: `${body.summaryOfFacts} The recruiter known as ${MARKER} kept the passports.`,
        persons: [{ ...body.persons[0], names: { familyNames: [MARKER], givenNames: ['Sunday'] } }],
        suggestedDeadline: {
          ...body.suggestedDeadline,
          reasons: `${MARKER} is to be tried four months from now`,
        },
      },
    };
    const sent = await api<SubmissionAccepted>(url(FR, '/api/v1/messages'), {
      method: 'POST',
      body: JSON.stringify(draft),
    });
    expect(sent.status).toBe(202);
    requestId = sent.body.requestId;
    requestMessageId = sent.body.messages[0].messageId;
    await delivered(requestMessageId, FR, NG);

    const answer = await api<SubmissionAccepted>(
      url(NG, `/api/v1/requests/${requestId}/messages`),
      {
        method: 'POST',
        body: JSON.stringify({
          messageType: 'acknowledgement',
          body: MLA_ANSWERS.acknowledgement(`NG-CA-${MARKER}`),
        }),
      },
    );
    expect(answer.status).toBe(202);
    answerMessageId = answer.body.messages[0].messageId;
    await delivered(answerMessageId, NG, FR);

    const facts = {
      persons: [
        {
          personIndex: 0,
          nationalities: ['NG'],
          riskAssessment: {
            done: true,
            at: new Date().toISOString().slice(0, 10),
            outcome: 'no-risk',
            reference: `RA-${MARKER}`,
          },
        },
      ],
    };
    const put = await api(url(FR, `/api/v1/cases/${FACTS_CASE}/facts`), {
      method: 'PUT',
      body: JSON.stringify({
        ...facts,
        procedure: 'nationality-verification',
        justification: `Recorded from the desk’s file ${MARKER}`,
      }),
    });
    expect(put.status).toBe(200);
  });

  it('keeps no plaintext of the marker anywhere in either node’s schema', async () => {
    for (const id of [FR, NG]) {
      expect({ node: id, hits: await search(id, MARKER) }).toEqual({ node: id, hits: [] });
    }
  });

  it('searches every column: clear metadata is found, sealed columns hold the current key id', async () => {
    for (const id of [FR, NG]) {
      // Text, array and jsonb columns: routing metadata and audit details are in clear.
      const clear = [
        ...(await search(id, CASE)),
        ...(await search(id, id === FR ? NG : FR)),
        ...(await search(id, requestId)),
      ].map((hit) => hit.column);
      expect(clear).toEqual(
        expect.arrayContaining([
          'messages.case_reference',
          'requests.case_reference',
          'requests.counterparts',
          'audit_log.details',
        ]),
      );
      // bytea columns, byte for byte: every sealed column names the node's current data key.
      const keyId = Buffer.from(readDataKeys(network.environment(id)).currentKeyId, 'hex');
      const sealed = (await search(id, keyId)).map((hit) => hit.column);
      expect(sealed).toEqual(
        expect.arrayContaining(
          SEALED_COLUMNS.filter((column) => id === FR || !column.startsWith('case_facts')),
        ),
      );
      const { rows } = await db[id].query<{ column: string; type: string }>(
        `select table_name || '.' || column_name as column, data_type as type
           from information_schema.columns
          where table_schema = $1 and table_name || '.' || column_name = any($2::text[])`,
        [network.schema(id), SEALED_COLUMNS],
      );
      expect(rows.map((row) => row.type)).toEqual(SEALED_COLUMNS.map(() => 'bytea'));
    }
  });

  it('still answers with the content through the API', async () => {
    for (const id of [FR, NG]) {
      const request = (await message(id, requestMessageId)).body;
      expect(request.payload.body.summaryOfFacts).toContain(MARKER);
      expect(request.payload.body.persons).toEqual([
        expect.objectContaining({ names: { familyNames: [MARKER], givenNames: ['Sunday'] } }),
      ]);
      const answer = (await message(id, answerMessageId)).body;
      expect(answer.payload.body.reference).toBe(`NG-CA-${MARKER}`);
      const thread = await api<RequestDetail>(url(id, `/api/v1/requests/${requestId}`));
      expect(thread.body.status).toBe('acknowledged');
      expect(thread.body.suggestedDeadline?.reasons).toContain(MARKER);
      expect(thread.body.deadlines.map((d) => d.status)).toEqual(['running']);
    }
    const facts = await api<{ persons: Array<{ riskAssessment: { reference: string } }> }>(
      url(FR, `/api/v1/cases/${FACTS_CASE}/facts`),
    );
    expect(facts.body.persons[0].riskAssessment.reference).toBe(`RA-${MARKER}`);
  });

  it('refuses a sealed payload moved to another message’s row', async () => {
    const { rows } = await db[FR].query<{ payload: Buffer }>(
      'select payload from messages where id = $1',
      [answerMessageId],
    );
    const own = (
      await db[FR].query<{ payload: Buffer }>('select payload from messages where id = $1', [
        requestMessageId,
      ])
    ).rows[0].payload;
    await db[FR].query('update messages set payload = $1 where id = $2', [
      rows[0].payload,
      requestMessageId,
    ]);
    try {
      const moved = await message(FR, requestMessageId);
      expect(moved.status).toBe(500);
      expect(moved.body.error?.code).toBe('STORED_DATA_UNREADABLE');
      expect(JSON.stringify(moved.body)).not.toContain(MARKER);
    } finally {
      await db[FR].query('update messages set payload = $1 where id = $2', [own, requestMessageId]);
    }
    expect((await message(FR, requestMessageId)).body.payload.body.summaryOfFacts).toContain(
      MARKER,
    );
  });

  it('does not start a process without a valid data key, and says why', async () => {
    const worker = join(repoRoot(), 'dist', 'apps', 'worker', 'src', 'main.js');
    const short = join(network.options.workDir, 'secrets', 'short.data-key');
    writeFileSync(short, randomBytes(31), { mode: 0o600 });
    const environment = { ...network.environment(FR), PATH: process.env.PATH ?? '' };
    const failures = [
      { GATEWAY_DATA_KEY_FILE: short, expected: 'must hold exactly 32 random bytes, not 31' },
      { GATEWAY_DATA_KEY_FILE: '', expected: 'set GATEWAY_DATA_KEY_FILE' },
      {
        GATEWAY_DATA_KEY_FILE: join(network.options.workDir, 'secrets', 'missing.data-key'),
        expected: 'cannot be read: ENOENT',
      },
    ];
    for (const { expected, ...override } of failures) {
      const failure = await run(process.execPath, [worker], {
        cwd: repoRoot(),
        env: { ...environment, ...override },
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const fatal = JSON.parse(failure!.stderr.trim().split('\n').pop()!) as Record<string, string>;
      expect(fatal).toMatchObject({ level: 'fatal', code: 'CONFIGURATION_INVALID' });
      expect(fatal.msg).toContain(expected);
    }
  });
});

describe('migration 0004 on rows stored before it', () => {
  const schema = 'e2e_at_rest_migration';
  const db = createDatabase(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    schema,
    2,
  );

  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
  });

  it('seals every stored value in place with the current key, losing no row', async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await sql`create schema ${sql.id(schema)}`.execute(db);
    const before = await new Migrator({
      db,
      migrationTableSchema: schema,
      provider: {
        getMigrations: async () => ({
          '0001-spine': spine,
          '0002-cases': cases,
          '0003-safeguards': safeguards,
        }),
      },
    }).migrateToLatest();
    expect(before.error).toBeUndefined();

    // What an earlier version stored, in clear: two requests (one with a suggested deadline).
    const now = new Date();
    const requests = [uuidv7(), uuidv7()];
    const payloads = requests.map((id) => ({ messageId: id, body: { summaryOfFacts: MARKER } }));
    const states = requests.map((_, i) => ({
      procedure: 'mla',
      status: 'submitted',
      overdue: i > 0,
    }));
    const suggested = { date: '2027-01-31', reasons: `${MARKER} is tried then` };
    const deadlines = requests.map(() => uuidv7());
    const clocks = requests.map((_, i) => ({ status: 'running', dueAt: now.toISOString(), i }));
    const facts = { persons: [{ personIndex: 0, label: MARKER }] };
    await sql`insert into cases (reference, opened_at, opened_by) values (${CASE}, ${now}, ${FR})`.execute(
      db,
    );
    for (const [i, id] of requests.entries()) {
      await sql`insert into messages (id, direction, status, procedure, message_type, sender,
          recipient, case_reference, created_at, payload, correlation_id, status_changed_at, request_id)
        values (${id}, 'outbound', 'queued', 'mla', 'request', ${FR}, ${NG}, ${CASE}, ${now},
          ${JSON.stringify(payloads[i])}::jsonb, 'c', ${now}, ${id})`.execute(db);
      await sql`insert into requests (id, case_reference, procedure, role, counterparts, status,
          state, deadline_profiles, suggested_deadline, opened_at, updated_at)
        values (${id}, ${CASE}, 'mla', 'requesting', ${[NG]}, 'submitted',
          ${JSON.stringify(states[i])}::jsonb, ${['untoc-mla']},
          ${i === 0 ? JSON.stringify(suggested) : null}::jsonb, ${now}, ${now})`.execute(db);
      await sql`insert into deadlines (id, request_id, profile_id, status, due_at, clock,
          executing_state, time_zone, updated_at)
        values (${deadlines[i]}, ${id}, 'untoc-mla', 'running', ${now},
          ${JSON.stringify(clocks[i])}::jsonb, 'NG', 'Africa/Lagos', ${now})`.execute(db);
    }
    await sql`insert into case_facts (case_reference, facts, updated_at, updated_by)
      values (${CASE}, ${JSON.stringify(facts)}::jsonb, ${now}, ${`officer@${FR}`})`.execute(db);

    const keyFile = join(mkdtempSync(join(tmpdir(), 'at-rest-migration-')), 'data-key');
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
    const cipher = readDataKeys({ GATEWAY_DATA_KEY_FILE: keyFile });
    expect(await migrateToLatest(db, schema, cipher)).toContain('0004-sealed-columns');

    const rows = {
      messages: await sql<{
        id: string;
        payload: Buffer;
      }>`select id, payload from messages`.execute(db),
      requests: await sql<{ id: string; state: Buffer; suggested_deadline: Buffer | null }>`
        select id, state, suggested_deadline from requests`.execute(db),
      deadlines: await sql<{ id: string; clock: Buffer }>`select id, clock from deadlines`.execute(
        db,
      ),
      facts: await sql<{
        case_reference: string;
        procedure: string;
        version: number;
        facts: Buffer;
      }>`
        select case_reference, procedure, version, facts from case_facts`.execute(db),
      history: await sql<{
        procedure: string;
        version: number;
        actor: string;
        direction: string;
        change: Buffer;
      }>`select procedure, version, actor, direction, change from case_facts_history`.execute(db),
    };
    const byId = <T extends { id: string }>(list: T[], id: string) =>
      list.find((r) => r.id === id)!;
    expect(rows.messages.rows).toHaveLength(2);
    expect(rows.requests.rows).toHaveLength(2);
    expect(rows.deadlines.rows).toHaveLength(2);
    for (const [i, id] of requests.entries()) {
      const message = byId(rows.messages.rows, id);
      expect(message.payload.includes(MARKER)).toBe(false);
      expect(cipher.open('messages.payload', id, message.payload)).toEqual(payloads[i]);
      const request = byId(rows.requests.rows, id);
      expect(cipher.open('requests.state', id, request.state)).toEqual(states[i]);
      expect(
        request.suggested_deadline &&
          cipher.open('requests.suggested_deadline', id, request.suggested_deadline),
      ).toEqual(i === 0 ? suggested : null);
      const deadline = byId(rows.deadlines.rows, deadlines[i]);
      expect(cipher.open('deadlines.clock', deadlines[i], deadline.clock)).toEqual(clocks[i]);
    }
    expect(rows.facts.rows).toHaveLength(1);
    // 0007 bound the facts to their authority; 0008 to the procedure they are attributed to (the
    // case's requests are MLA requests), and made their writer the first entry of their history.
    const [stored] = rows.facts.rows;
    expect([stored.procedure, stored.version]).toEqual(['mla', 1]);
    const sealedFacts = stored.facts;
    expect(
      cipher.open('case_facts.facts', procedureFactsRowId(FR, CASE, 'mla'), sealedFacts),
    ).toEqual(facts);
    for (const elsewhere of [
      caseFactsRowId(FR, CASE),
      CASE,
      procedureFactsRowId(FR, CASE, 'jit'),
      procedureFactsRowId('FR-PNAT-PARIS', CASE, 'mla'),
    ]) {
      expect(() => cipher.open('case_facts.facts', elsewhere, sealedFacts)).toThrow();
    }
    expect(rows.history.rows).toHaveLength(1);
    const [first] = rows.history.rows;
    expect(first).toMatchObject({
      procedure: 'mla',
      version: 1,
      actor: `officer@${FR}`,
      direction: 'recorded',
    });
    expect(first.change.includes(MARKER)).toBe(false);
    expect(
      cipher.open(
        'case_facts_history.change',
        caseFactsHistoryRowId(FR, CASE, 'mla', 1),
        first.change,
      ),
    ).toEqual({
      changes: [{ path: 'persons[index=0]', after: facts.persons[0], direction: 'recorded' }],
    });
  });
});
