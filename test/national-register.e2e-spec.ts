import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { LocalNetwork, verificationRequest } from '#tools/local-network';
import type { HeldSubmissionView, MessageDetail, SubmissionAccepted } from '#libs/messaging';
import type { ReviewRow } from '#libs/safeguards';
import { api, as, auditorsTrail, nodeDatabase, signIn, waitFor } from './support/network.js';

/*
 * The national protected-persons register across the nodes of one State (domain.md 4): France runs
 * three nodes, justice (FR-MOJ-BEPI), interior (FR-MININT-DGEF, two gateway processes and a
 * worker) and the asylum authority (FR-OFPRA, a hub that also serves its overseas office). Every
 * outgoing message of every French node that names a person is checked against the asylum
 * authority's register with keyed hashes only; while the register cannot be consulted such
 * messages are held, never sent unchecked; a hit opens a review for the entry's owner, who may
 * clear it for that case.
 */

const JUSTICE = 'FR-MOJ-BEPI';
const INTERIOR = 'FR-MININT-DGEF';
const OFPRA = 'FR-OFPRA';
const OFPRA_OVERSEAS = 'FR-OFPRA-GP';
const NG = 'NG-MOJ-CA';
const AGREEMENT = 'FR-NG-readmission-arrangement';

const TELLTALE = /asylum|claim|register|refugee|protect|persecut|UNHCR/i;

interface ApiError {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
}
type Submitted = (Omit<SubmissionAccepted, 'status'> & Omit<HeldSubmissionView, 'status'>) &
  ApiError & { status: string };

/** Persons the asylum authority registers, and as the interior's desk writes them. */
const PERSONS = {
  amina: {
    registered: {
      names: [{ givenNames: ['Amina'], familyNames: ['ABDEL-RAHMAN'] }],
      datesOfBirth: ['03/05/1995'],
      shieldFrom: ['NG'],
    },
    written: { givenNames: ['Amina'], familyNames: ['ABDELRAHMAN'] },
    dateOfBirth: '1995-05-03',
  },
  grace: {
    registered: {
      names: [{ givenNames: ['Grace', 'Ifeoma'], familyNames: ['OKAFOR'] }],
      datesOfBirth: ['1990-11-21'],
      shieldFrom: ['NG'],
    },
    written: { givenNames: ['Ifeoma', 'Grace'], familyNames: ['Okafor'] },
    dateOfBirth: '1990-11-21',
  },
  joy: {
    registered: {
      names: [{ givenNames: ['Joy'], familyNames: ['NWOSU'] }],
      datesOfBirth: ['2000-01-30'],
      shieldFrom: ['NG'],
    },
    written: { givenNames: ['Joy'], familyNames: ['Nwosu'] },
    dateOfBirth: '2000-01-30',
  },
  /** Registered on the interior's own node, through its first gateway process. */
  precious: {
    registered: {
      names: [{ givenNames: ['Precious'], familyNames: ['EDO'] }],
      datesOfBirth: ['1999-07-14'],
      shieldFrom: ['NG'],
    },
    written: { givenNames: ['Precious'], familyNames: ['Edo'] },
    dateOfBirth: '1999-07-14',
  },
  /** Nobody registered her. */
  chiamaka: {
    written: { givenNames: ['Chiamaka'], familyNames: ['Obi'] },
    dateOfBirth: '1997-02-09',
  },
} as const;

describe('the national register of a State of three nodes', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_national_register',
      workDir: join(tmpdir(), 'gateway-e2e-national-register'),
      nodes: [
        {
          authorityId: JUSTICE,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'assets'],
          port: 4281,
        },
        {
          authorityId: INTERIOR,
          state: 'FR',
          name: 'Direction générale des étrangers en France',
          kind: 'immigration-repatriation',
          procedures: ['nationality-verification'],
          port: 4282,
          extraGatewayPorts: [4283],
        },
        {
          authorityId: OFPRA,
          state: 'FR',
          name: 'Office français de protection des réfugiés et apatrides',
          kind: 'asylum-authority',
          procedures: [],
          port: 4284,
          hosted: [
            {
              authorityId: OFPRA_OVERSEAS,
              name: 'OFPRA, antenne de Guadeloupe',
              kind: 'asylum-authority',
              procedures: [],
            },
          ],
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Federal Ministry of Justice, Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
          port: 4285,
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_REGISTER_CHECK_TIMEOUT_MS: '2000',
        GATEWAY_HELD_RECHECK_INTERVAL_MS: '500',
      },
    });
    await signIn(network);
    await network.startAll();
    network.start(INTERIOR, 'gateway', 1);
    await network.waitReady(INTERIOR, 60_000, 1);
    for (const id of [JUSTICE, INTERIOR, OFPRA, NG]) db[id] = nodeDatabase(network, id);
  });

  afterAll(async () => {
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  const asylumOfficer = (authorityId: string) =>
    as(network, authorityId, 'asylum-authority-officer');

  async function register(authorityId: string, entry: object): Promise<string> {
    const answer = await api<{ entryId: string }>(
      `${network.url(authorityId)}/api/v1/register/entries`,
      {
        method: 'POST',
        headers: await asylumOfficer(authorityId),
        body: JSON.stringify(entry),
      },
    );
    expect(answer.status).toBe(201);
    return answer.body.entryId;
  }

  /** A verification request by the interior's repatriation desk, through gateway `instance`. */
  async function verify(
    person: { written: object; dateOfBirth: string },
    caseReference: string,
    instance = 0,
  ) {
    const body = verificationRequest(AGREEMENT);
    return api<Submitted>(`${network.url(INTERIOR, instance)}/api/v1/messages`, {
      method: 'POST',
      headers: await as(network, INTERIOR, 'repatriation-officer'),
      body: JSON.stringify({
        procedure: 'nationality-verification',
        messageType: 'verification-request',
        recipients: [NG],
        caseReference,
        body: {
          ...body,
          person: {
            ...body.person,
            names: person.written,
            dateOfBirth: person.dateOfBirth,
            documents: [],
          },
        },
        handling: {
          permittedPurpose: 'Nationality verification for a voluntary return',
          confidential: true,
          noOnwardTransferTo: [],
        },
      }),
    });
  }

  /** Facts that let a return through every other safeguard, so that only the register decides. */
  async function clearReturn(caseReference: string): Promise<void> {
    const answer = await api(`${network.url(INTERIOR)}/api/v1/cases/${caseReference}/facts`, {
      method: 'PUT',
      headers: await as(network, INTERIOR, 'repatriation-officer'),
      body: JSON.stringify({
        agreementId: AGREEMENT,
        persons: [
          {
            personIndex: 0,
            subjectOfCase: true,
            nationalities: ['NG'],
            riskAssessment: {
              done: true,
              at: new Date().toISOString().slice(0, 10),
              outcome: 'no-risk',
              reference: 'DGEF-RA-2026-41',
            },
            returnVoluntary: true,
            openProceedings: [],
          },
        ],
      }),
    });
    expect(answer.status).toBe(200);
  }

  function expectOnlyH1(answer: { status: number; body: unknown }): void {
    expect(answer.status).toBe(403);
    expect((answer.body as ApiError).error).toEqual({
      code: 'POLICY_BLOCKED',
      message: 'Blocked by H-1',
      details: [{ rule: 'H-1', message: 'Blocked by H-1' }],
    });
    expect(JSON.stringify(answer.body)).not.toMatch(TELLTALE);
  }

  const reviewsOf = async (authorityId: string, status = 'pending') =>
    (
      await api<ReviewRow[]>(`${network.url(OFPRA)}/api/v1/register/reviews?status=${status}`, {
        headers: await asylumOfficer(authorityId),
      })
    ).body;

  async function audit(authorityId: string, event: string) {
    const { rows } = await db[authorityId].query<{ details: Record<string, unknown> }>(
      'select details from audit_log where event = $1 order by id',
      [event],
    );
    return rows.map((row) => row.details);
  }

  async function heldSubmission(holdId: string): Promise<HeldSubmissionView> {
    const answer = await api<HeldSubmissionView>(
      `${network.url(INTERIOR)}/api/v1/held-submissions/${holdId}`,
      { headers: await as(network, INTERIOR, 'repatriation-officer') },
    );
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function deliveredToNigeria(messageId: string): Promise<void> {
    await waitFor(async () => {
      const { body } = await api<MessageDetail>(
        `${network.url(INTERIOR)}/api/v1/messages/${messageId}`,
        { headers: await as(network, INTERIOR, 'repatriation-officer') },
      );
      return body.status === 'delivered';
    }, `delivery of ${messageId} to ${NG}`);
  }

  const messagesToNigeria = async () =>
    (
      await db[INTERIOR].query<{ n: number }>(
        `select count(*)::int as n from messages where recipient = $1`,
        [NG],
      )
    ).rows[0].n;

  // ---------------------------------------------------------------------------------------------

  let reviewOfAmina: ReviewRow;

  it("blocks, through the interior's second gateway, a person the asylum authority's node registered a moment before", async () => {
    await clearReturn('DGEF-2026-0101');
    // The verification is sent as soon as the registration is answered: no cache or
    // propagation delay stands between the asylum authority's node and the interior's gateways.
    await register(OFPRA, PERSONS.amina.registered);
    const answer = await verify(PERSONS.amina, 'DGEF-2026-0101', 1);
    expectOnlyH1(answer);
    expect(await messagesToNigeria()).toBe(0);

    // The hit opened a review for the entry's owner, never for the sender.
    const reviews = await reviewsOf(OFPRA);
    expect(reviews).toHaveLength(1);
    reviewOfAmina = reviews[0];
    expect(reviewOfAmina).toMatchObject({
      owner: OFPRA,
      requester: INTERIOR,
      caseReference: 'DGEF-2026-0101',
      recipientStates: ['NG'],
      status: 'pending',
    });
    expect(await reviewsOf(OFPRA_OVERSEAS)).toHaveLength(0);

    // The sender's audit trail records the rule and the review reference, never a reason.
    const refused = await audit(INTERIOR, 'policy.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0].registerReferences).toEqual([reviewOfAmina.id]);
    const findings = refused[0].findings as Array<{ ruleId: string }>;
    expect(findings.some((f) => f.ruleId === 'H-1')).toBe(true);
    // The explanations are in the entry's sealed annex (its digest chained), as the auditors read it.
    expect(refused[0].annexSha256).toMatch(/^[0-9a-f]{64}$/);
    const trail = await auditorsTrail<{
      annex?: { explanations: Array<{ ruleId: string; explanation: string }> };
    }>(network, INTERIOR, 'policy.refused');
    const explanations = trail.at(-1)!.annex!.explanations;
    expect(explanations.find((f) => f.ruleId === 'H-1')?.explanation).toBe('Blocked by H-1');
    expect(JSON.stringify(explanations.map((f) => f.explanation))).not.toMatch(/register|hit/i);
    // The asylum authority's node audits the check it answered.
    const checked = await audit(OFPRA, 'register.checked');
    expect(checked.at(-1)).toMatchObject({ purpose: 'send', requester: INTERIOR });
  });

  it('decides, in every gateway process of a node, on an entry made through another one', async () => {
    await clearReturn('DGEF-2026-0102');
    await register(INTERIOR, PERSONS.precious.registered);
    expectOnlyH1(await verify(PERSONS.precious, 'DGEF-2026-0102', 1));
    expectOnlyH1(await verify(PERSONS.precious, 'DGEF-2026-0102', 0));
  });

  it('lets only the owning asylum authority remove its entries; every entry protects the whole State', async () => {
    const entryId = await register(OFPRA, PERSONS.grace.registered);
    // The overseas office, on the same hub, cannot remove the head office's entry.
    const removal = await api<ApiError>(
      `${network.url(OFPRA)}/api/v1/register/entries/${entryId}`,
      { method: 'DELETE', headers: await asylumOfficer(OFPRA_OVERSEAS) },
    );
    expect(removal.status).toBe(400);
    expect(removal.body.error.code).toBe('VALIDATION_FAILED');
    const denied = await audit(OFPRA, 'access.denied');
    expect(denied.at(-1)).toMatchObject({ method: 'DELETE' });
    // The entry still protects: the justice node's and the interior's traffic alike.
    await clearReturn('DGEF-2026-0103');
    expectOnlyH1(await verify(PERSONS.grace, 'DGEF-2026-0103'));
  });

  it('holds messages naming persons while the register cannot be consulted, then blocks or releases them', async () => {
    await register(OFPRA, PERSONS.joy.registered);
    await clearReturn('DGEF-2026-0104');
    await clearReturn('DGEF-2026-0105');
    await network.stop(OFPRA, 'gateway', 'SIGKILL');

    const toBlock = await verify(PERSONS.joy, 'DGEF-2026-0104');
    const toRelease = await verify(PERSONS.chiamaka, 'DGEF-2026-0105', 1);
    for (const answer of [toBlock, toRelease]) {
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        status: 'awaiting-safeguard-check',
        awaiting: [OFPRA],
        messages: [],
      });
    }
    // Never sent unchecked: nothing for Nigeria while the asylum authority's node is down.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await messagesToNigeria()).toBe(0);
    expect((await heldSubmission(toBlock.body.holdId)).status).toBe('awaiting-safeguard-check');
    expect(await audit(INTERIOR, 'submission.held')).toHaveLength(2);

    network.start(OFPRA, 'gateway');
    await network.waitReady(OFPRA);
    const blocked = await waitFor(async () => {
      const held = await heldSubmission(toBlock.body.holdId);
      return held.status !== 'awaiting-safeguard-check' && held;
    }, 'the held submission naming a registered person to be decided');
    expect(blocked.status).toBe('blocked');
    expect(blocked.outcome).toEqual({
      code: 'POLICY_BLOCKED',
      message: 'Blocked by H-1',
      details: [{ rule: 'H-1', message: 'Blocked by H-1' }],
    });
    const released = await waitFor(async () => {
      const held = await heldSubmission(toRelease.body.holdId);
      return held.status !== 'awaiting-safeguard-check' && held;
    }, 'the held submission naming nobody registered to be decided');
    expect(released.status).toBe('released');
    const [sent] = (released.outcome as { messages: Array<{ messageId: string }> }).messages;
    await deliveredToNigeria(sent.messageId);
    expect(await messagesToNigeria()).toBe(1);
  });

  it('lets a message go once the asylum authority clears the hit for that case, audited on both nodes', async () => {
    const cleared = await api<ReviewRow>(
      `${network.url(OFPRA)}/api/v1/register/reviews/${reviewOfAmina.id}/clear`,
      {
        method: 'POST',
        headers: await asylumOfficer(OFPRA),
        body: JSON.stringify({
          reason: 'Another woman: the registered person was born in Kano, this one in Lagos',
        }),
      },
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.status).toBe('cleared');

    const sent = await verify(PERSONS.amina, 'DGEF-2026-0101', 1);
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('queued');
    await deliveredToNigeria(sent.body.messages[0].messageId);

    // Cleared for that case only: the same person in another case is blocked again.
    await clearReturn('DGEF-2026-0106');
    expectOnlyH1(await verify(PERSONS.amina, 'DGEF-2026-0106'));

    expect(await audit(OFPRA, 'register.review-cleared')).toEqual([
      expect.objectContaining({ reviewId: reviewOfAmina.id, requester: INTERIOR }),
    ]);
    const decided = (await audit(INTERIOR, 'policy.decided')).filter((details) =>
      Array.isArray(details.clearedReferences),
    );
    expect(decided.map((d) => d.clearedReferences)).toEqual([[reviewOfAmina.id]]);
  });

  it('answers register checks only to the nodes of its own State', async () => {
    const answer = await api<ApiError>(`${network.url(OFPRA)}/inbound/v1/register-checks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/pgp-encrypted',
        'x-envelope-sender': NG,
        'x-envelope-recipient': OFPRA,
      },
      body: '-----BEGIN PGP MESSAGE-----\n\nwx4D\n-----END PGP MESSAGE-----\n',
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('REGISTER_CHECK_REFUSED');
    expect((await audit(OFPRA, 'register.check-refused')).at(-1)).toMatchObject({
      code: 'REGISTER_CHECK_REFUSED',
      sender: NG,
    });
  });
});
