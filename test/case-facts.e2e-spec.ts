import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Role } from '#libs/access';
import { LocalNetwork, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';
import { caseFactsHistoryRowId, readDataKeys } from '#libs/persistence';
import { api, as, nodeDatabase } from './support/network.js';

/*
 * Case facts that no role can quietly relax, across real processes. An MLA officer records what
 * they know of a victim with a pending claim; a liaison officer of a JIT under the same case
 * reference neither reads those facts nor relaxes or erases them, whatever they send, and H-1
 * stays in force; they can add their own, and tighten. A relaxation needs the facts' owner, or a
 * supervisor's written justification; each is audited, and the history lists every change.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';
const CASE = 'FR-PNAT-2026-0451';
/** A case of the MLA procedure with a request on record: another procedure's case, for S11. */
const MLA_CASE = 'FR-PNAT-2026-0452';
const LIAISON = 'liaison.jit0451';
const JUSTIFICATION =
  'Supervisor C. Martin: the asylum authority closed the claim (OFPRA letter 2026-118)';

type ApiError = {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
};
type Facts = Record<string, unknown> & { persons?: Array<Record<string, unknown>> };
interface HistoryEntry {
  procedure: string;
  version: number;
  actor: string;
  roles: string[];
  direction: string;
  changes: Array<{ path: string; direction: string; before?: unknown; after?: unknown }>;
  justification?: string;
}
interface Explained {
  recipient: string;
  outcome: string;
  rules: Array<{ rule: string }>;
}

/** The MLA officer's record: a victim with a pending claim, shielded from Nigeria. */
const MLA_FACTS = {
  legalBasisRecorded: true,
  persons: [
    {
      personKey: 'V1',
      nationalities: ['NG'],
      victim: true,
      asylum: { status: 'pending', shieldFrom: ['NG'] },
      identityProtectiveMeasures: 'PM-2026-7',
    },
  ],
};

/** An MLA request that names the victim V1. */
const naming = (recipient: string, caseReference = CASE) => ({
  procedure: 'mla',
  messageType: 'request',
  recipients: [recipient],
  caseReference,
  handling: SAMPLE_HANDLING,
  body: {
    ...mlaRequest(FR),
    persons: [
      {
        reference: 'V1',
        names: { familyNames: ['Eze'], givenNames: ['Blessing'] },
        roles: ['victim', 'witness'],
      },
    ],
  },
});

describe('case facts across real processes', () => {
  let network: LocalNetwork;
  let db: pg.Pool;
  const url = (path: string) => `${network.url(FR)}${path}`;
  const facts = `/api/v1/cases/${CASE}/facts`;

  async function call<T = Facts>(
    who: Role | typeof LIAISON,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const authorization =
      who === LIAISON
        ? { authorization: `Bearer ${await network.token(FR, LIAISON)}` }
        : await as(network, FR, who);
    return api<T>(url(path), {
      method,
      headers: { ...authorization, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  const explain = async (who: Role, draft: ReturnType<typeof naming>) => {
    const { status, body } = await call<Explained[]>(who, 'POST', '/api/v1/policy/explain', draft);
    expect(status).toBe(200);
    return body[0];
  };

  /** The MLA officer's request naming V1 to Nigeria: H-1 must stop it, saying nothing more. */
  async function expectStillBlockedToNigeria(): Promise<void> {
    const sent = await call<ApiError>(
      'central-authority-officer',
      'POST',
      '/api/v1/messages',
      naming(NG),
    );
    expect(sent.status).toBe(403);
    expect(sent.body.error).toMatchObject({ code: 'POLICY_BLOCKED', message: 'Blocked by H-1' });
  }

  const audit = async (event: string) =>
    (
      await db.query<{ actor: string; details: Record<string, unknown> }>(
        `select actor, details from audit_log where event = $1 order by id`,
        [event],
      )
    ).rows;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_case_facts',
      workDir: join(tmpdir(), 'gateway-e2e-case-facts'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4281,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Federal Ministry of Justice, Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla', 'jit'],
          port: 4282,
        },
        {
          authorityId: IT,
          state: 'IT',
          name: 'Direzione generale degli affari internazionali',
          kind: 'central-authority',
          procedures: ['mla', 'jit'],
          port: 4283,
        },
      ],
      env: { LOG_LEVEL: 'warn', GATEWAY_RETRY_BASE_DELAY_MS: '200' },
    });
    await network.createAccounts(FR, [
      { username: LIAISON, roles: ['liaison-officer'], jits: [CASE] },
    ]);
    // Only FR runs: NG and IT are recipients in its directory, and nothing here is delivered.
    network.start(FR, 'gateway');
    await network.waitReady(FR, 150_000);
    db = nodeDatabase(network, FR);
  });

  afterAll(async () => {
    await db?.end();
    await network?.stopAll();
  });

  it('records the MLA officer’s facts, and H-1 stops a message naming the victim to Nigeria', async () => {
    const recorded = await call('central-authority-officer', 'PUT', facts, MLA_FACTS);
    expect(recorded.status).toBe(200);
    expect(recorded.body).toEqual(MLA_FACTS);
    // W-3 reads identityProtectiveMeasures: the API accepts it, and the engine honours it.
    expect((await explain('central-authority-officer', naming(IT))).outcome).toBe('allow');
    await expectStillBlockedToNigeria();
  });

  it('shows the liaison officer none of the MLA facts', async () => {
    const seen = await call(LIAISON, 'GET', facts);
    expect([seen.status, seen.body]).toEqual([200, {}]);
    const history = await call<HistoryEntry[]>(LIAISON, 'GET', `${facts}/history`);
    expect([history.status, history.body]).toEqual([200, []]);
    const named = await call<ApiError>(LIAISON, 'GET', `${facts}?procedure=mla`);
    expect([named.status, named.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
  });

  it('lets the liaison officer neither erase nor relax them: H-1 stays in force', async () => {
    const versions = async () =>
      (await db.query<{ n: number }>('select count(*)::int as n from case_facts_history')).rows[0]
        .n;
    const before = await versions();
    // An empty body changes nothing: it is not a replacement. Nor does erasing what they see.
    const empty = await call(LIAISON, 'PUT', facts, {});
    expect([empty.status, empty.body]).toEqual([200, {}]);
    const erase = await call(LIAISON, 'PATCH', facts, { persons: null, legalBasisRecorded: null });
    expect([erase.status, erase.body]).toEqual([200, {}]);
    expect(await versions()).toBe(before);
    expect((await call('central-authority-officer', 'GET', facts)).body).toEqual(MLA_FACTS);
    // Looser values land in the JIT's own facts; the MLA facts and H-1 are untouched.
    const looser = await call(LIAISON, 'PUT', facts, {
      legalBasisRecorded: false,
      persons: [
        {
          personKey: 'V1',
          nationalities: ['NG'],
          victim: false,
          asylum: { status: 'none', shieldFrom: [] },
          nonRefoulementRiskOpen: false,
        },
      ],
    });
    expect(looser.status).toBe(200);
    expect(await versions()).toBe(before + 1);
    expect((await call('central-authority-officer', 'GET', facts)).body).toEqual(MLA_FACTS);
    await expectStillBlockedToNigeria();
    // Nor may they record under the MLA procedure.
    const asMla = await call<ApiError>(LIAISON, 'PUT', facts, {
      procedure: 'mla',
      persons: [{ personKey: 'V1', asylum: { status: 'none', shieldFrom: [] } }],
    });
    expect([asMla.status, asMla.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect((await call('central-authority-officer', 'GET', facts)).body).toEqual(MLA_FACTS);
  });

  it('lets the liaison officer tighten: a claim they record shields the victim from Italy too', async () => {
    expect((await explain('central-authority-officer', naming(IT))).outcome).toBe('allow');
    const tightened = await call(LIAISON, 'PATCH', facts, {
      persons: [
        {
          personKey: 'V1',
          nationalities: ['NG'],
          asylum: { status: 'pending', shieldFrom: ['IT'] },
        },
      ],
    });
    expect(tightened.status).toBe(200);
    const toItaly = await explain('central-authority-officer', naming(IT));
    expect([toItaly.outcome, toItaly.rules]).toEqual([
      'block',
      [{ rule: 'H-1', message: 'Blocked by H-1' }],
    ]);
    // Relaxing it back is the asylum authority's: refused, naming the fields and the rules.
    const relax = await call<ApiError>(LIAISON, 'PATCH', facts, {
      persons: [{ personKey: 'V1', asylum: { status: 'none', shieldFrom: [] } }],
    });
    expect(relax.status).toBe(403);
    expect(relax.body.error.code).toBe('FACTS_RELAXATION_REQUIRES_OWNER');
    expect(relax.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'persons[key=V1].asylum.status',
          rules: ['H-1', 'H-4', 'W-7'],
          owners: ['asylum-authority'],
        }),
      ]),
    );
    const refused = await audit('case-facts.relaxation-refused');
    expect(refused.at(-1)?.actor).toBe(`${LIAISON}@${FR}`);
    expect(refused.at(-1)?.details).toMatchObject({
      code: 'FACTS_RELAXATION_REQUIRES_OWNER',
      procedure: 'jit',
    });
    expect(refused.at(-1)?.details.paths).toContain('persons[key=V1].asylum.status');
    expect(JSON.stringify(refused.at(-1))).not.toMatch(/pending|"none"/);
  });

  it('lets a supervisor relax the MLA facts only with a written justification, audited', async () => {
    const relaxed = {
      procedure: 'mla',
      persons: [{ personKey: 'V1', asylum: { status: 'none', shieldFrom: [] } }],
    };
    // The MLA officer does not own the asylum facts they recorded.
    const owner = await call<ApiError>('central-authority-officer', 'PUT', facts, relaxed);
    expect(owner.body.error.code).toBe('FACTS_RELAXATION_REQUIRES_OWNER');
    const bare = await call<ApiError>('supervisor', 'PUT', facts, relaxed);
    expect([bare.status, bare.body.error.code]).toEqual([403, 'FACTS_RELAXATION_REQUIRES_OWNER']);
    const justified = await call('supervisor', 'PUT', facts, {
      ...relaxed,
      justification: JUSTIFICATION,
    });
    expect(justified.status).toBe(200);
    expect(justified.body.persons?.[0].asylum).toEqual({ status: 'none', shieldFrom: [] });
    const entries = await audit('case-facts.relaxed');
    expect(entries.at(-1)).toMatchObject({
      actor: `${'fr-moj-bepi.supervisor'}@${FR}`,
      details: {
        caseReference: CASE,
        procedure: 'mla',
        paths: ['persons[key=V1].asylum.status', 'persons[key=V1].asylum.shieldFrom'],
        rules: ['H-1', 'H-4', 'W-7'],
        justified: true,
      },
    });
    // Neither the values nor the justification (it may name persons): both are in the history.
    expect(JSON.stringify(entries.at(-1)!.details)).not.toMatch(/"none"|pending|OFPRA/);
    // The JIT's claim still shields the victim: the combination is the tightest of the two.
    await expectStillBlockedToNigeria();
  });

  it('lets the asylum authority see and relax the asylum facts of every procedure, and nothing else', async () => {
    const seen = await call('asylum-authority-officer', 'GET', `${facts}?procedure=jit`);
    expect(seen.body).toEqual({
      persons: [
        {
          personKey: 'V1',
          asylum: { status: 'pending', shieldFrom: ['IT'] },
          nonRefoulementRiskOpen: false,
        },
      ],
    });
    const notTheirs = await call<ApiError>('asylum-authority-officer', 'PUT', facts, {
      procedure: 'jit',
      persons: [{ personKey: 'V1', victim: true }],
    });
    expect([notTheirs.status, notTheirs.body.error.details[0].field]).toEqual([
      403,
      'persons.0.victim',
    ]);
    const closed = await call('asylum-authority-officer', 'PUT', facts, {
      procedure: 'jit',
      persons: [{ personKey: 'V1', asylum: { status: 'none', shieldFrom: [] } }],
    });
    expect(closed.status).toBe(200);
    // No claim is left on record: the request to Nigeria is no longer stopped by H-1.
    const toNigeria = await explain('central-authority-officer', naming(NG));
    expect(toNigeria.rules.map((r) => r.rule)).not.toContain('H-1');
  });

  it('lists every change in the history, with values for those who may see them', async () => {
    const all = await call<HistoryEntry[]>('supervisor', 'GET', `${facts}/history`);
    expect(all.status).toBe(200);
    expect(
      all.body.map((e) => [e.procedure, e.version, e.actor.replace(/@.*/, ''), e.direction]),
    ).toEqual([
      // The first State recorded for a person makes their States known: a relaxation (H-1).
      ['mla', 1, 'fr-moj-bepi.central-authority-officer', 'relaxed'],
      ['jit', 1, LIAISON, 'relaxed'],
      ['jit', 2, LIAISON, 'tightened'],
      ['mla', 2, 'fr-moj-bepi.supervisor', 'relaxed'],
      ['jit', 3, 'fr-moj-bepi.asylum-authority-officer', 'relaxed'],
    ]);
    const bySupervisor = all.body.find((e) => e.procedure === 'mla' && e.version === 2)!;
    expect(bySupervisor).toMatchObject({ roles: ['supervisor'], justification: JUSTIFICATION });
    expect(bySupervisor.changes).toEqual([
      expect.objectContaining({
        path: 'persons[key=V1].asylum.status',
        direction: 'relaxed',
        before: 'pending',
        after: 'none',
      }),
      expect.objectContaining({
        path: 'persons[key=V1].asylum.shieldFrom',
        direction: 'relaxed',
        before: ['NG'],
        after: [],
      }),
    ]);
    // The MLA officer sees the MLA history only; the asylum authority sees every procedure's,
    // with the values of the asylum facts only.
    const mla = await call<HistoryEntry[]>('central-authority-officer', 'GET', `${facts}/history`);
    expect(new Set(mla.body.map((e) => e.procedure))).toEqual(new Set(['mla']));
    const asylum = await call<HistoryEntry[]>(
      'asylum-authority-officer',
      'GET',
      `${facts}/history`,
    );
    expect(asylum.body).toHaveLength(5);
    const looser = asylum.body.find((e) => e.procedure === 'jit' && e.version === 1)!;
    const victim = looser.changes.find((c) => c.path === 'persons[key=V1].victim')!;
    expect([victim.direction, 'before' in victim, 'after' in victim]).toEqual([
      'neutral',
      false,
      false,
    ]);
    expect(looser.changes.find((c) => c.path === 'persons[key=V1].asylum.status')).toMatchObject({
      after: 'none',
    });
    expect(asylum.body.some((e) => e.justification !== undefined)).toBe(false);
    // Sealed at rest like the facts: the justification is nowhere in clear.
    const { rows } = await db.query<{ change: Buffer; procedure: string; version: number }>(
      `select change, procedure, version from case_facts_history where case_reference = $1`,
      [CASE],
    );
    const cipher = readDataKeys(network.environment(FR));
    const opened = rows.map((row) =>
      JSON.stringify(
        cipher.open(
          'case_facts_history.change',
          caseFactsHistoryRowId(FR, CASE, row.procedure, row.version),
          row.change,
        ),
      ),
    );
    expect(rows.some((row) => row.change.includes('OFPRA letter'))).toBe(false);
    expect(opened.some((text) => text.includes('OFPRA letter'))).toBe(true);
  });

  it('refuses a body that is not JSON, and a field the engine does not read, by name', async () => {
    const text = await call<ApiError>(
      'central-authority-officer',
      'PUT',
      facts,
      'legalBasisRecorded=false',
      { 'content-type': 'text/plain' },
    );
    expect([text.status, text.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const unknown = await call<ApiError>('central-authority-officer', 'PUT', facts, {
      persons: [{ personKey: 'V1', asylum: { status: 'none', shieldFrom: [], since: '2020' } }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.map((d) => d.field)).toContain('persons.0.asylum.since');
    expect((await call('central-authority-officer', 'GET', facts)).body).toMatchObject({
      legalBasisRecorded: true,
    });
  });

  it('answers the same for another procedure’s case as for a case that does not exist (S11)', async () => {
    const opened = await call<{ requestId: string }>(
      'central-authority-officer',
      'POST',
      '/api/v1/messages',
      { ...naming(IT, MLA_CASE), body: mlaRequest(FR) },
    );
    expect(opened.status).toBe(202);
    for (const method of ['GET', 'PUT'] as const) {
      const answers = await Promise.all(
        [MLA_CASE, 'FR-NOWHERE-2026-1'].map((reference) =>
          call(
            'repatriation-officer',
            method,
            `/api/v1/cases/${reference}/facts`,
            method === 'PUT' ? {} : undefined,
          ),
        ),
      );
      const [other, none] = answers.map(({ status, body }) => [status, body]);
      expect(other).toEqual(none);
      expect(other).toEqual([200, {}]);
    }
  });
});
