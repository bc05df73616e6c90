import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { RequestDetail } from '#libs/cases';
import { openEnvelope, readPublicKey } from '#libs/envelope';
import {
  JIT_MESSAGES,
  jitAgreement,
  jitProposal,
  accountName,
  LocalNetwork,
  mlaRequest,
  SAMPLE_HANDLING,
  verificationRequest,
} from '#tools/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import { RULES_CATALOGUE } from '#libs/policy';
import { tusUpload } from './support/files.js';
import { minimalPdf } from './support/pdf.js';
import {
  api,
  as,
  auditorsTrail,
  keysOf,
  nodeDatabase,
  signIn,
  storedPayloads,
  waitFor,
} from './support/network.js';

/*
 * The safeguards of domain.md section 4 end to end, across real nodes (a gateway and a worker
 * process each), through the HTTP API: the protected-persons register and H-1 on a nationality
 * verification, a JIT fan-out that withholds a member, the explain endpoint, handling conditions
 * that travel with the message, warnings a supervisor acknowledges, and blocks nobody can.
 *
 * Users are not authenticated yet: every action on FR's node is attributed to the node's authority.
 * The asylum authority's registrations, the repatriation officer's requests and the central
 * authority's JIT messages all go through FR-MOJ-BEPI's node, as the desks of one State would.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const IT = 'IT-MOJ-DAG';
/** Nigeria's embassy in Paris: an authority of Nigeria for the safeguards, wherever it sits. */
const NG_EMBASSY = 'NG-EMB-PAR';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;

/** A return the case facts allow: risk assessed, voluntary, no proceedings, no claim known. */
const RETURN_CASE = 'FR-OFII-2026-0932';
/** The repatriation desk's case of a person the asylum authority registered, unknown to the desk. */
const SHIELDED_CASE = 'FR-OFII-2026-0977';
const JIT_CASE = 'FR-PNAT-2026-0147';
const MLA_CASE = 'FR-PNAT-2026-0212';
const AGREEMENT = 'FR-NG-readmission-arrangement';

/** The asylum authority's record: names and date as its file has them. */
const REGISTERED = {
  names: [{ givenNames: ['Fatimah', 'Adaeze'], familyNames: ['BELLO'] }],
  datesOfBirth: ['14/03/2001'],
  shieldFrom: ['NG'],
};
/** The same woman as the repatriation officer writes her: other spelling, order and date format. */
const OFFICER_SPELLING = {
  names: { givenNames: ['Adaeze', 'Fátima'], familyNames: ['Bello'] },
  dateOfBirth: '2001-03-14',
  documents: [{ kind: 'passport', number: 'A07715532', issuingState: 'NG' }],
};

/** Words from which the sender (or anyone reading the answer) could infer the claim. */
const TELLTALE = /asylum|claim|register|refugee|protect|persecut|2013\/32|UNHCR/i;

/** Recording facts that lift a default (a first State, an assessment) as a supervisor needs a reason. */
const FACTS_JUSTIFICATION =
  'Supervisor C. Martin: recorded from the desk’s file, checked on 2 March';

const JUSTIFICATION =
  'Supervisor C. Martin: the team is founded on UNTOC art. 19, which the agreement will state';

interface ApiError {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
  correlationId: string;
}

interface Explained {
  recipient: string;
  outcome: string;
  rules: Array<{ rule: string; message: string }>;
  redactions: unknown[];
  noOnwardTransferTo: string[];
  explanation: string;
}

interface Finding {
  ruleId: string;
  severity: string;
  legalBasis: string[];
  /** Absent from the chained details; in the entry's annex (see `explained`). */
  explanation?: string;
}

interface DecisionDetails {
  registerReferences?: string[];
  decisionId: string;
  recipient: string;
  channel: string;
  outcome: string;
  findings: Finding[];
  acknowledgements: Array<{ ruleId: string; supervisor: string }>;
  caseReference?: string;
}

describe('the safeguards across real nodes', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_safeguards',
      workDir: join(tmpdir(), 'gateway-e2e-safeguards'),
      // 4242 may be taken by another service: the nodes use the other ports of 4241-4245.
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4241,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Federal Ministry of Justice, Central Authority Unit',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4243,
        },
        {
          authorityId: IT,
          state: 'IT',
          name: 'Direzione generale degli affari internazionali',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4244,
        },
        {
          authorityId: NG_EMBASSY,
          state: 'NG',
          name: 'Embassy of the Federal Republic of Nigeria, Paris (consular section)',
          kind: 'embassy',
          procedures: ['nationality-verification'],
          port: 4245,
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
      },
    });
    await signIn(network);
    await network.startAll();
    for (const id of [FR, NG, IT, NG_EMBASSY]) db[id] = nodeDatabase(network, id);
  });

  afterAll(async () => {
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers: an officer's HTTP calls, waiting for deliveries, reading what each node stored.

  const url = (authorityId: string, path: string) => `${network.url(authorityId)}${path}`;

  const post = <T>(authorityId: string, path: string, body: unknown, method = 'POST') =>
    api<T>(url(authorityId, path), { method, body: JSON.stringify(body) });
  /** The register is the asylum authority's alone (domain.md section 1). */
  const asAsylumAuthority = async <T>(path: string, init: RequestInit = {}) =>
    api<T>(url(FR, path), {
      ...init,
      headers: await as(network, FR, 'asylum-authority-officer'),
    });

  /** POST /api/v1/messages from FR: a new request, answered 202 or refused. */
  const send = (draft: Record<string, unknown>) =>
    post<SubmissionAccepted & ApiError>(FR, '/api/v1/messages', {
      handling: SAMPLE_HANDLING,
      ...draft,
    });

  /** POST /api/v1/requests/:id/messages: a follow-up, to the request's other parties. */
  const reply = (from: string, requestId: string, draft: Record<string, unknown>) =>
    post<SubmissionAccepted & ApiError>(from, `/api/v1/requests/${requestId}/messages`, draft);

  function accepted(answer: { status: number; body: unknown }, what: string): SubmissionAccepted {
    if (answer.status !== 202) {
      throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body as SubmissionAccepted;
  }

  async function message(authorityId: string, messageId: string): Promise<MessageDetail> {
    const { status, body } = await api<MessageDetail>(
      url(authorityId, `/api/v1/messages/${messageId}`),
    );
    if (status !== 200) throw new Error(`${authorityId} has no message ${messageId}`);
    return body;
  }

  async function request(authorityId: string, requestId: string): Promise<RequestDetail> {
    const { status, body } = await api<RequestDetail>(
      url(authorityId, `/api/v1/requests/${requestId}`),
    );
    if (status !== 200) throw new Error(`${authorityId} has no request ${requestId}`);
    return body;
  }

  /** Waits until every copy of a sent message is delivered: stored by its recipient, receipt signed. */
  async function delivered(from: string, sent: SubmissionAccepted): Promise<void> {
    await Promise.all(
      sent.messages.map(({ messageId, recipient }) =>
        waitFor(async () => {
          const { status } = await message(from, messageId);
          if (status === 'failed') throw new Error(`${from} → ${recipient} ${messageId} failed`);
          return status === 'delivered';
        }, `delivery of ${messageId} from ${from} to ${recipient}`),
      ),
    );
  }

  /** Waits until every party holds the request in the status expected. */
  const agreed = (requestId: string, parties: string[], status: string) =>
    waitFor(
      async () => {
        const details = await Promise.all(parties.map((id) => request(id, requestId)));
        return details.every((detail) => detail.status === status) && details;
      },
      `request ${requestId} ${status} on ${parties.join(', ')}`,
    );

  const count = async (authorityId: string, sql: string, params: unknown[] = []) =>
    (await db[authorityId].query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))
      .rows[0].n;

  /** Messages a node stores whose payload mentions `text` (case-insensitive). */
  const messagesMentioning = async (authorityId: string, text: string) =>
    (await storedPayloads(network, authorityId, db[authorityId])).filter((payload) =>
      JSON.stringify(payload).toLowerCase().includes(text.toLowerCase()),
    ).length;

  async function audit(authorityId: string, event: string, where = 'true', params: unknown[] = []) {
    const { rows } = await db[authorityId].query<{ details: DecisionDetails }>(
      `select details from audit_log where event = $1 and (${where}) order by id`,
      [event, ...params],
    );
    return rows.map((row) => row.details);
  }

  /**
   * A policy entry's details with each finding's explanation as the node's auditors read it: the
   * explanations are in the entry's sealed annex (README, Retention), not in the chained details.
   */
  async function explained(
    authorityId: string,
    details: DecisionDetails,
    event = 'policy.refused',
  ) {
    const trail = await auditorsTrail<{
      details: { decisionId?: string };
      annex?: { explanations: Finding[] };
    }>(network, authorityId, event);
    const entry = trail.find((e) => e.details.decisionId === details.decisionId);
    expect(details.findings.some((f) => f.explanation !== undefined)).toBe(false);
    return {
      ...details,
      findings: details.findings.map((f, i) => ({
        ...f,
        explanation: entry!.annex!.explanations[i].explanation,
      })),
    };
  }

  /** The policy audit entries (decided or refused) a node holds: nothing else writes them. */
  const policyEntries = () =>
    count(FR, `audit_log where event in ('policy.decided', 'policy.refused')`);

  const h1 = (details: DecisionDetails) =>
    details.findings.filter((f) => f.ruleId === 'H-1' && f.severity === 'block');

  /** The answer to a sender blocked by H-1: the rule, and not a word more. */
  function expectOnlyH1(answer: { status: number; body: ApiError }): void {
    expect(answer.status).toBe(403);
    expect(answer.body.error).toEqual({
      code: 'POLICY_BLOCKED',
      message: 'Blocked by H-1',
      details: [{ rule: 'H-1', message: 'Blocked by H-1' }],
    });
    expect(JSON.stringify(answer.body)).not.toMatch(TELLTALE);
  }

  /** A nationality-verification request by FR's repatriation desk. */
  function verification(recipient: string, caseReference: string, person?: object) {
    const body = verificationRequest(AGREEMENT);
    return {
      procedure: 'nationality-verification',
      messageType: 'verification-request',
      recipients: [recipient],
      caseReference,
      body: person ? { ...body, person: { ...body.person, ...person } } : body,
      handling: {
        permittedPurpose: 'Nationality verification for a voluntary return',
        confidential: true,
        noOnwardTransferTo: [],
      },
    };
  }

  /** Case facts of a return the safeguards allow, as far as the desk knows (no claim on record). */
  const returnFacts = {
    agreementId: AGREEMENT,
    persons: [
      {
        personIndex: 0,
        subjectOfCase: true,
        nationalities: ['NG'],
        asylum: { status: 'none', shieldFrom: [] },
        riskAssessment: {
          done: true,
          at: new Date().toISOString().slice(0, 10),
          outcome: 'no-risk',
          reference: 'OFII-RA-2026-118',
        },
        returnVoluntary: true,
        openProceedings: [],
      },
    ],
  };

  // ---------------------------------------------------------------------------------------------

  describe('H-1 through the protected-persons register', () => {
    let entryId: string;

    it('registers a person under keyed hashes only, and counts entries without listing them', async () => {
      const registered = await asAsylumAuthority<{ entryId: string }>('/api/v1/register/entries', {
        method: 'POST',
        body: JSON.stringify(REGISTERED),
      });
      expect(registered.status).toBe(201);
      entryId = registered.body.entryId;
      expect((await asAsylumAuthority('/api/v1/register')).body).toEqual({ entries: 1 });
      // The record holds keyed hashes: no name, no date, no word of a claim.
      const { rows } = await db[FR].query<{ stored: string }>(
        `select array_to_string(hashes, ' ') || ' ' || array_to_string(shield_from, ' ') as stored
           from protected_persons where id = $1`,
        [entryId],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].stored).toMatch(/^([A-Za-z0-9_-]{43} )+NG$/);
      expect(rows[0].stored).not.toMatch(/bello|fatim|adaeze|2001-03|03\/2001|asylum/i);
      const added = await audit(FR, 'register.entry-added');
      expect(JSON.stringify(added)).not.toMatch(/bello|fatim|adaeze|2001/i);

      for (const reference of [RETURN_CASE, SHIELDED_CASE]) {
        // A supervisor records them for the repatriation desk: a relaxation of nothing recorded
        // (a risk assessment, voluntariness, an agreement) needs their written justification.
        const put = await post(
          FR,
          `/api/v1/cases/${reference}/facts`,
          {
            ...returnFacts,
            procedure: 'nationality-verification',
            justification: FACTS_JUSTIFICATION,
          },
          'PUT',
        );
        expect(put.status).toBe(200);
        expect((await api(url(FR, `/api/v1/cases/${reference}/facts`))).body).toEqual(returnFacts);
      }
    });

    it('blocks the verification of a registered person to NG and to its embassy, saying only H-1', async () => {
      const refusedBefore = (await audit(FR, 'policy.refused')).length;
      for (const recipient of [NG, NG_EMBASSY]) {
        expectOnlyH1(await send(verification(recipient, SHIELDED_CASE, OFFICER_SPELLING)));
      }

      // Nothing was stored on FR: no message, no request, no case opened by the attempt.
      expect(await count(FR, `messages where case_reference = $1`, [SHIELDED_CASE])).toBe(0);
      expect(await count(FR, `requests where case_reference = $1`, [SHIELDED_CASE])).toBe(0);
      expect(await messagesMentioning(FR, 'Bello')).toBe(0);

      // The legal officer's audit keeps the decision: H-1, its legal basis, and why.
      const refusals = await Promise.all(
        (await audit(FR, 'policy.refused')).slice(refusedBefore).map((r) => explained(FR, r)),
      );
      expect(refusals.map((r) => r.recipient)).toEqual([NG, NG_EMBASSY]);
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({
          outcome: 'block',
          channel: 'new-request',
          caseReference: SHIELDED_CASE,
        });
        const [finding] = h1(refusal);
        expect(finding.legalBasis).toEqual(RULES_CATALOGUE['H-1'].legalBasis);
        expect(finding.legalBasis.join(' ')).toMatch(/2013\/32\/EU art\. 30/);
        // A register hit is never stated, even here: a review reference only the asylum
        // authority resolves stands for it. The entry records shielding, not a pending claim:
        // H-1 blocks, and H-4 (which reads a hit's claimPending) leaves the return to the facts.
        expect(finding.explanation).toBe('Blocked by H-1');
        expect(JSON.stringify(refusal.findings.map((f) => f.explanation))).not.toMatch(/register/i);
        expect(refusal.registerReferences).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
        expect(refusal.findings.map((f) => f.ruleId)).not.toContain('H-4');
      }
    });

    it('blocks an MLA request to NG naming the registered person only in free text, or in a PDF it attaches', async () => {
      const refusedBefore = (await audit(FR, 'policy.refused')).length;
      const mla = (caseReference: string, summaryOfFacts: string, attachments: object[] = []) => ({
        procedure: 'mla',
        messageType: 'request',
        recipients: [NG],
        caseReference,
        body: { ...mlaRequest(FR), summaryOfFacts },
        attachments,
      });
      const summary = mlaRequest(FR).summaryOfFacts;
      // Her names in another order and case, one of them with a look-alike Cyrillic letter.
      expectOnlyH1(
        await send(
          mla(
            'FR-PNAT-2026-0301',
            `${summary} BELLO, Adaeze Fаtimah (born 14 March 2001) was housed in Marseille.`,
          ),
        ),
      );
      // In the text layer of a PDF, the body naming nobody.
      const pdf = await tusUpload(
        url(FR, ''),
        minimalPdf(['Witnesses heard in Marseille', 'Fatimah Adaeze Bello, born 14/03/2001']),
        { filename: 'witnesses.pdf', filetype: 'application/pdf', category: 'evidence-item' },
      );
      expectOnlyH1(await send(mla('FR-PNAT-2026-0302', summary, [{ uploadId: pdf }])));
      // The same PDF to Italy names her to nobody she must be shielded from.
      const toItaly = {
        ...mla('FR-PNAT-2026-0303', summary, [{ uploadId: pdf }]),
        recipients: [IT],
      };
      const sent = accepted(await send(toItaly), 'the MLA request to IT');
      expect(sent.messages.map((m) => m.recipient)).toEqual([IT]);

      for (const reference of ['FR-PNAT-2026-0301', 'FR-PNAT-2026-0302']) {
        expect(await count(FR, `messages where case_reference = $1`, [reference])).toBe(0);
      }
      // The legal officer's audit states no more than for a person the body names: H-1, and a
      // review reference only the asylum authority resolves.
      const refusals = await Promise.all(
        (await audit(FR, 'policy.refused')).slice(refusedBefore).map((r) => explained(FR, r)),
      );
      expect(refusals.map((r) => r.caseReference)).toEqual([
        'FR-PNAT-2026-0301',
        'FR-PNAT-2026-0302',
      ]);
      for (const refusal of refusals) {
        expect(h1(refusal).map((f) => f.explanation)).toEqual(['Blocked by H-1']);
        expect(refusal.registerReferences).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
      }
    });

    it('lets the verification of another person through, to NG and to its embassy', async () => {
      for (const recipient of [NG, NG_EMBASSY]) {
        const sent = accepted(await send(verification(recipient, RETURN_CASE)), recipient);
        expect(sent.messages).toEqual([
          expect.objectContaining({ recipient, policy: 'allow', redacted: [] }),
        ]);
        expect(sent.withheld).toEqual([]);
        await delivered(FR, sent);
        await agreed(sent.requestId, [FR, recipient], 'requested');
        const received = await message(recipient, sent.messages[0].messageId);
        expect(received).toMatchObject({ direction: 'inbound', status: 'received', sender: FR });
        expect(received.payload.body).toEqual(verification(recipient, RETURN_CASE).body);
        // Nobody in this case is shielded: no State is excluded.
        expect(received.payload.handling.noOnwardTransferTo).toEqual([]);
      }
      // What each Nigerian node holds is that one request, and nothing of the registered person.
      for (const node of [NG, NG_EMBASSY]) {
        expect(await count(node, 'messages')).toBe(1);
        expect(await messagesMentioning(node, 'Bello')).toBe(0);
        expect(await count(node, 'requests')).toBe(1);
      }
    });

    it('cannot be acknowledged: an acknowledgement of H-1 changes nothing (no override)', async () => {
      const refusedBefore = (await audit(FR, 'policy.refused')).length;
      expectOnlyH1(
        await send({
          ...verification(NG, SHIELDED_CASE, OFFICER_SPELLING),
          acknowledgements: [
            { ruleId: 'H-1', justification: 'The return flight is booked for tomorrow' },
            { ruleId: 'H-4', justification: 'The return flight is booked for tomorrow' },
          ],
        }),
      );
      expect(await count(FR, `messages where case_reference = $1`, [SHIELDED_CASE])).toBe(0);
      const [refusal] = await Promise.all(
        (await audit(FR, 'policy.refused')).slice(refusedBefore).map((r) => explained(FR, r)),
      );
      expect(refusal.acknowledgements).toEqual([]);
      expect(h1(refusal)).not.toHaveLength(0);
      // The offer is noted for the legal officer, and ignored.
      const notes = refusal.findings.filter((f) => f.ruleId === 'H-1' && f.severity === 'note');
      expect(notes).toHaveLength(1);
      expect(notes[0].explanation).toMatch(/ignored, a block has no override/);
    });

    it('explains a draft per recipient without sending it; a removed entry no longer blocks', async () => {
      const before = {
        fr: await count(FR, 'messages'),
        ng: await count(NG, 'messages'),
        policy: await policyEntries(),
      };
      const explain = async (draft: object) => {
        const answer = await post<Explained[]>(FR, '/api/v1/policy/explain', draft);
        expect(answer.status).toBe(200);
        return answer.body;
      };

      // H-1: the rule id, nothing else, not even its legal basis.
      const [blocked] = await explain(verification(NG, SHIELDED_CASE, OFFICER_SPELLING));
      expect(blocked).toMatchObject({
        recipient: NG,
        outcome: 'block',
        rules: [{ rule: 'H-1', message: 'Blocked by H-1' }],
      });
      expect(blocked.explanation).toMatch(
        /^Policy decision [0-9a-f-]{36}: block\n- H-1 \[block\] Blocked by H-1$/,
      );
      expect(JSON.stringify(blocked)).not.toMatch(TELLTALE);
      expect(blocked.explanation).not.toMatch(/Legal basis/);

      // A warning: its rule id and its legal basis are shown, for each recipient of a fan-out.
      const proposal = await explain({
        procedure: 'jit',
        messageType: 'proposal',
        recipients: [NG, IT],
        caseReference: JIT_CASE,
        handling: SAMPLE_HANDLING,
        body: jitProposal([FR, NG, IT]),
      });
      expect(proposal.map((p) => [p.recipient, p.outcome, p.rules.map((r) => r.rule)])).toEqual([
        [NG, 'warn', ['W-2']],
        [IT, 'warn', ['W-2']],
      ]);
      for (const decision of proposal) {
        expect(decision.explanation).toContain(
          `Legal basis: ${RULES_CATALOGUE['W-2'].legalBasis.join('; ')}`,
        );
        expect(decision.explanation).toContain('Waiting for acknowledgement: W-2');
      }

      // The asylum authority registers a second person, then removes the entry (a claim withdrawn).
      const amaka = {
        names: { givenNames: ['AMAKA'], familyNames: ['NWOSU'] },
        dateOfBirth: '1995-07-21',
        documents: [{ kind: 'passport', number: 'A05582019', issuingState: 'NG' }],
      };
      const entry = await asAsylumAuthority<{ entryId: string }>('/api/v1/register/entries', {
        method: 'POST',
        body: JSON.stringify({
          names: [{ givenNames: ['Amaka'], familyNames: ['Nwosu'] }],
          datesOfBirth: ['1995'],
          shieldFrom: ['NG'],
        }),
      });
      expect(entry.status).toBe(201);
      expect((await asAsylumAuthority('/api/v1/register')).body).toEqual({ entries: 2 });
      expect((await explain(verification(NG, RETURN_CASE, amaka)))[0]).toMatchObject({
        outcome: 'block',
        rules: [{ rule: 'H-1', message: 'Blocked by H-1' }],
      });
      const removal = await asAsylumAuthority(`/api/v1/register/entries/${entry.body.entryId}`, {
        method: 'DELETE',
      });
      expect(removal.status).toBe(204);
      expect((await asAsylumAuthority('/api/v1/register')).body).toEqual({ entries: 1 });
      expect((await explain(verification(NG, RETURN_CASE, amaka)))[0]).toMatchObject({
        outcome: 'allow',
        rules: [],
      });
      const again = await asAsylumAuthority<ApiError>(
        `/api/v1/register/entries/${entry.body.entryId}`,
        {
          method: 'DELETE',
        },
      );
      expect(again.status).toBe(400);
      // The first entry is untouched.
      expect((await explain(verification(NG, SHIELDED_CASE, OFFICER_SPELLING)))[0].outcome).toBe(
        'block',
      );

      // Nothing was sent, stored or decided for real.
      expect(await count(FR, 'messages')).toBe(before.fr);
      expect(await count(NG, 'messages')).toBe(before.ng);
      expect(await policyEntries()).toBe(before.policy);
      // Asking is audited all the same, so that names cannot be tried against the register unseen.
      expect(await count(FR, `audit_log where event = 'policy.explained'`)).toBeGreaterThanOrEqual(
        5,
      );
      expect(await count(FR, `requests where case_reference = $1`, [JIT_CASE])).toBe(0);
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('handling conditions travel with an allowed message', () => {
    it('adds "no onward transfer to NG" to an MLA request to IT about a person shielded from NG', async () => {
      const base = mlaRequest(FR);
      const body = {
        ...base,
        persons: [
          ...base.persons,
          { ...OFFICER_SPELLING, nationalities: ['NG'], roles: ['witness'] },
        ],
      };
      const draft = {
        procedure: 'mla',
        messageType: 'request',
        recipients: [IT],
        caseReference: MLA_CASE,
        body,
      };
      // To Nigeria, the same request names her to the State she is shielded from.
      expectOnlyH1(await send({ ...draft, recipients: [NG] }));

      const sent = accepted(await send(draft), 'MLA request to IT');
      expect(sent.messages).toEqual([expect.objectContaining({ recipient: IT, policy: 'allow' })]);
      await delivered(FR, sent);
      const received = await message(IT, sent.messages[0].messageId);
      expect(received.payload.handling).toEqual({
        ...SAMPLE_HANDLING,
        noOnwardTransferTo: ['NG'],
      });
      expect(received.payload.body).toEqual(body);
      // The sender's copy carries the same conditions: they were sealed into the envelope.
      expect((await message(FR, sent.messages[0].messageId)).payload.handling).toEqual(
        received.payload.handling,
      );
      // The legal officer sees why: H-1 noted the States to exclude.
      const [decided] = await audit(FR, 'policy.decided', `message_id = $2`, [
        sent.messages[0].messageId,
      ]);
      expect(decided.findings).toEqual([
        expect.objectContaining({ ruleId: 'H-1', severity: 'note' }),
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------

  describe('a joint investigation team of FR, NG and IT', () => {
    const parties = [FR, NG, IT];
    let id: string;

    it('asks a supervisor to acknowledge W-2 for a proposal without legal basis; the justification stays in FR', async () => {
      const draft = {
        procedure: 'jit',
        messageType: 'proposal',
        recipients: [NG, IT],
        caseReference: JIT_CASE,
        body: jitProposal(parties),
      };
      const warned = await send(draft);
      expect(warned.status).toBe(409);
      expect(warned.body.error.code).toBe('POLICY_ACKNOWLEDGEMENT_REQUIRED');
      expect(warned.body.error.message).toMatch(/W-2/);
      expect(warned.body.error.details.map((d) => d.rule)).toEqual(['W-2']);
      expect(warned.body.error.details[0].message).toMatch(/^Warning W-2: .*supervisor/);
      expect(await count(FR, `requests where case_reference = $1`, [JIT_CASE])).toBe(0);

      const proposal = accepted(
        await send({
          ...draft,
          acknowledgements: [{ ruleId: 'W-2', justification: JUSTIFICATION }],
        }),
        'acknowledged proposal',
      );
      id = proposal.requestId;
      expect(proposal.messages.map((m) => [m.recipient, m.policy]).sort()).toEqual([
        [IT, 'allow'],
        [NG, 'allow'],
      ]);
      await delivered(FR, proposal);
      await agreed(id, parties, 'proposed');

      // FR's audit: each copy's decision, with the supervisor's acknowledgement in the chain and
      // the justification in the entry's sealed annex (retention erases it; the chain keeps its digest).
      const trail = await auditorsTrail<{
        messageId: string;
        annex?: { justifications: unknown[] };
      }>(network, FR, 'policy.decided');
      for (const { messageId, recipient } of proposal.messages) {
        const [decided] = await audit(FR, 'policy.decided', `message_id = $2`, [messageId]);
        expect(decided).toMatchObject({ recipient, outcome: 'allow', channel: 'jit-fan-out' });
        expect(decided.acknowledgements).toEqual([
          { ruleId: 'W-2', supervisor: `${accountName(FR, 'supervisor')}@${FR}` },
        ]);
        expect(JSON.stringify(decided)).not.toContain(JUSTIFICATION);
        expect(trail.find((entry) => entry.messageId === messageId)?.annex).toMatchObject({
          justifications: [{ ruleId: 'W-2', justification: JUSTIFICATION }],
        });
      }

      // What NG received: the proposal, not the justification, in the stored payload or in the
      // envelope's bytes (decrypted here with NG's key), nor anywhere else on NG's node.
      const ngCopy = proposal.messages.find((m) => m.recipient === NG)!;
      const received = await message(NG, ngCopy.messageId);
      expect(received.payload.body).toEqual(jitProposal(parties));
      expect(JSON.stringify(received.payload)).not.toContain('UNTOC art. 19, which');
      expect(JSON.stringify(received.payload)).not.toMatch(/acknowledg|justification|supervisor/i);
      const { rows } = await db[NG].query<{ armored: string }>(
        `select armored from envelopes where message_id = $1`,
        [ngCopy.messageId],
      );
      const ngKeys = await keysOf(network, NG);
      const frKey = await readPublicKey(
        readFileSync(join(network.options.workDir, 'directory', 'keys', `${FR}.asc`), 'utf8'),
      );
      const opened = await openEnvelope(
        new TextEncoder().encode(rows[0].armored),
        { sender: FR, recipient: NG, messageId: ngCopy.messageId },
        {
          servedAuthorities: [NG],
          decryptionKeys: [ngKeys.privateKey],
          senderKeys: (authorityId) =>
            authorityId === FR
              ? { id: FR, publicKeys: [frKey], signatureRefusal: () => undefined }
              : undefined,
          maxEnvelopeBytes: 10 * 1024 * 1024,
          maxDecompressedBytes: 20 * 1024 * 1024,
          replayWindowMs: 24 * 3600_000,
          clockSkewMs: 5 * 60_000,
          now: new Date(),
        },
      );
      expect(opened.payload).toEqual(received.payload);
      expect(JSON.stringify(opened.payload)).not.toContain(JUSTIFICATION);
      expect(await messagesMentioning(NG, 'which the agreement will state')).toBe(0);
      expect(
        await count(NG, `audit_log where details::text ilike $1`, [
          '%which the agreement will state%',
        ]),
      ).toBe(0);
    });

    it('becomes active: agreement (with its legal basis) and acceptances', async () => {
      const agreement = accepted(
        await reply(FR, id, { messageType: 'agreement', body: jitAgreement(parties) }),
        'agreement',
      );
      await delivered(FR, agreement);
      await agreed(id, parties, 'agreed');
      for (const [member, name] of [
        [NG, 'Ngozi Adeyemi'],
        [IT, 'Marco Rossi'],
      ]) {
        const acceptance = accepted(
          await reply(member, id, {
            messageType: 'acceptance',
            body: JIT_MESSAGES.acceptance(name),
          }),
          `${member} acceptance`,
        );
        await delivered(member, acceptance);
      }
      await agreed(id, parties, 'active');
    });

    it('withholds from NG what reveals a claim, delivers it to IT, and tells the sender only H-1', async () => {
      // FR records a victim of the case with a pending claim, shielded from Nigeria.
      const facts = {
        persons: [
          {
            personKey: 'V7',
            nationalities: ['NG'],
            victim: true,
            asylum: { status: 'pending', shieldFrom: ['NG'] },
          },
        ],
      };
      const recorded = { ...facts, procedure: 'jit', justification: FACTS_JUSTIFICATION };
      expect((await post(FR, `/api/v1/cases/${JIT_CASE}/facts`, recorded, 'PUT')).status).toBe(200);

      // A message that reveals nothing reaches every member. NG's copy does not name NG among the
      // States excluded from onward transfer: that alone would tell NG someone is shielded from it.
      const neutral = accepted(
        await reply(FR, id, { messageType: 'operational-message', body: JIT_MESSAGES.operational }),
        'neutral operational message',
      );
      expect(neutral.messages.map((m) => m.recipient).sort()).toEqual([IT, NG]);
      expect(neutral.withheld).toEqual([]);
      await delivered(FR, neutral);
      for (const { messageId, recipient } of neutral.messages) {
        const { payload } = await message(recipient, messageId);
        expect(payload.body).toEqual(JIT_MESSAGES.operational);
        expect(payload.handling.noOnwardTransferTo).toEqual(recipient === IT ? ['NG'] : []);
      }

      // Free text that mentions asylum: withheld from NG, delivered to IT.
      const text = {
        subject: 'Victim V-7',
        text: 'She applied for asylum in Italy last month; her statement is attached to the file.',
      };
      const refusedBefore = (await audit(FR, 'policy.refused')).length;
      const sent = accepted(
        await reply(FR, id, { messageType: 'operational-message', body: text }),
        'operational message mentioning asylum',
      );
      expect(sent.messages).toEqual([expect.objectContaining({ recipient: IT, policy: 'allow' })]);
      expect(sent.withheld).toEqual([
        { recipient: NG, code: 'POLICY_BLOCKED', rules: ['H-1'], message: 'Blocked by H-1' },
      ]);
      await delivered(FR, sent);
      const atIt = await message(IT, sent.messages[0].messageId);
      expect(atIt.payload.body).toEqual(text);
      expect(atIt.payload.handling.noOnwardTransferTo).toEqual(['NG']);

      // Asylum-protection data in a structured field: the same.
      const witness = {
        subject: 'Witness',
        text: 'Joy Edo will testify by video link next week.',
        persons: [
          {
            names: { givenNames: ['Joy'], familyNames: ['Edo'] },
            nationalities: ['NG'],
            roles: ['witness'],
            protectionStatus: 'applicant',
          },
        ],
      };
      const tagged = accepted(
        await reply(FR, id, { messageType: 'operational-message', body: witness }),
        'operational message with protection status',
      );
      expect(tagged.messages.map((m) => m.recipient)).toEqual([IT]);
      expect(tagged.withheld).toEqual([
        { recipient: NG, code: 'POLICY_BLOCKED', rules: ['H-1'], message: 'Blocked by H-1' },
      ]);
      await delivered(FR, tagged);
      expect((await message(IT, tagged.messages[0].messageId)).payload.body).toEqual(witness);

      // An acknowledgement of H-1 does not let it through either.
      const insisted = accepted(
        await reply(FR, id, {
          messageType: 'operational-message',
          body: text,
          acknowledgements: [{ ruleId: 'H-1', justification: 'NG is a member of the team' }],
        }),
        'operational message with an acknowledgement of H-1',
      );
      expect(insisted.messages.map((m) => m.recipient)).toEqual([IT]);
      expect(insisted.withheld).toEqual([
        expect.objectContaining({ recipient: NG, rules: ['H-1'] }),
      ]);
      await delivered(FR, insisted);

      // Settle every delivery, then check NG holds none of it: only the neutral message is new.
      await agreed(id, parties, 'active');
      expect(await messagesMentioning(NG, 'asylum')).toBe(0);
      expect(await messagesMentioning(NG, 'Joy')).toBe(0);
      expect(await messagesMentioning(NG, 'protectionStatus')).toBe(0);
      const ngThread = (await request(NG, id)).thread.filter(
        (m) => m.messageType === 'operational-message',
      );
      expect(ngThread.map((m) => m.messageId)).toEqual([
        neutral.messages.find((m) => m.recipient === NG)!.messageId,
      ]);
      // FR sent nothing to NG after the neutral message.
      expect(
        await count(FR, `messages where recipient = $1 and request_id = $2 and message_type = $3`, [
          NG,
          id,
          'operational-message',
        ]),
      ).toBe(1);

      // FR's legal officer has each refusal, with H-1's legal basis and the reason.
      const refusals = await Promise.all(
        (await audit(FR, 'policy.refused')).slice(refusedBefore).map((r) => explained(FR, r)),
      );
      expect(refusals.map((r) => [r.recipient, r.channel, r.outcome])).toEqual([
        [NG, 'jit-fan-out', 'block'],
        [NG, 'jit-fan-out', 'block'],
        [NG, 'jit-fan-out', 'block'],
      ]);
      for (const refusal of refusals) {
        expect(h1(refusal)[0].legalBasis).toEqual(RULES_CATALOGUE['H-1'].legalBasis);
      }
      expect(
        h1(refusals[0])
          .map((f) => f.explanation)
          .join(' '),
      ).toMatch(/free text mentions/);
      expect(
        h1(refusals[1])
          .map((f) => f.explanation)
          .join(' '),
      ).toMatch(/asylum or protection data/);
    });

    it('explains a fan-out per member without sending it', async () => {
      const before = { fr: await count(FR, 'messages'), policy: await policyEntries() };
      const answer = await post<Explained[]>(FR, '/api/v1/policy/explain', {
        procedure: 'jit',
        messageType: 'operational-message',
        requestId: id,
        handling: SAMPLE_HANDLING,
        body: { subject: 'Victim V-7', text: 'Elle a demandé l’asile en Italie.' },
      });
      expect(answer.status).toBe(200);
      const byRecipient = Object.fromEntries(answer.body.map((d) => [d.recipient, d]));
      expect(Object.keys(byRecipient).sort()).toEqual([IT, NG]);
      expect(byRecipient[NG]).toMatchObject({
        outcome: 'block',
        rules: [{ rule: 'H-1', message: 'Blocked by H-1' }],
        noOnwardTransferTo: [],
      });
      expect(JSON.stringify(byRecipient[NG])).not.toMatch(TELLTALE);
      expect(byRecipient[IT]).toMatchObject({
        outcome: 'allow',
        rules: [],
        noOnwardTransferTo: ['NG'],
      });
      expect(await count(FR, 'messages')).toBe(before.fr);
      expect(await policyEntries()).toBe(before.policy);
    });
  });
});
