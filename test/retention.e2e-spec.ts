import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { loadDirectory } from '#libs/directory';
import { verifyReceipt } from '#libs/envelope';
import type { EvidenceBundle } from '#libs/evidence';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import { LocalNetwork, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';
import { api, as, cli, nodeDatabase, signIn, storedPayloads, waitFor } from './support/network.js';

/*
 * Retention across two real nodes, each with its own profiles (README, Retention): FR keeps a
 * settled MLA request's content 12 seconds, NG 3 seconds. A request is exchanged and withdrawn;
 * NG erases it first, FR later, each under its own profile; a second request under a legal hold
 * on FR is kept there (and erased on NG, which holds nothing). Afterwards the audit chains verify,
 * the receipts still verify against the envelope digests kept, and the officers' API shows the
 * metadata, digest and the erasure note in place of the body.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const CASE = 'FR-PNAT-2026-0510';
const WORK_DIR = join(tmpdir(), 'gateway-e2e-retention');
/** From the request's body: it must be gone from the payloads and never be in the audit trail. */
const FACTS = 'Recruiters in Benin City';

/** The shipped profiles, with the MLA period set for a drill. */
function retentionDir(authorityId: string, mlaSeconds: number): string {
  const shipped = JSON.parse(readFileSync('config/retention/profiles.json', 'utf8')) as {
    profiles: Array<Record<string, unknown>>;
  };
  const dir = join(mkdtempSync(join(tmpdir(), 'retention-')), authorityId);
  mkdirSync(dir);
  const profiles = shipped.profiles.map((profile) =>
    profile.procedure === 'mla'
      ? {
          ...profile,
          id: `mla-drill-${authorityId.slice(0, 2).toLowerCase()}`,
          contentAfterClose: { amount: mlaSeconds, unit: 'seconds' },
        }
      : profile,
  );
  writeFileSync(join(dir, 'profiles.json'), JSON.stringify({ profiles }));
  return dir;
}

describe('retention across two real nodes', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};
  const url = (authorityId: string, path: string) => `${network.url(authorityId)}${path}`;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_retention',
      workDir: WORK_DIR,
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4391,
          env: { GATEWAY_RETENTION_DIR: retentionDir(FR, 12) },
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4393,
          env: { GATEWAY_RETENTION_DIR: retentionDir(NG, 3) },
        },
      ],
      env: {
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '2000',
        GATEWAY_RETENTION_INTERVAL_MS: '500',
      },
    });
    await signIn(network);
    await network.startAll();
    db[FR] = nodeDatabase(network, FR);
    db[NG] = nodeDatabase(network, NG);
  });

  afterAll(async () => {
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  async function openAndWithdraw(): Promise<{ requestId: string; messageIds: string[] }> {
    const { status, body } = await api<SubmissionAccepted>(url(FR, '/api/v1/messages'), {
      method: 'POST',
      body: JSON.stringify({
        recipients: [NG],
        procedure: 'mla',
        messageType: 'request',
        caseReference: CASE,
        handling: SAMPLE_HANDLING,
        body: mlaRequest(FR),
      }),
    });
    expect(status).toBe(202);
    const { requestId } = body;
    const withdrawn = await api<SubmissionAccepted>(
      url(FR, `/api/v1/requests/${requestId}/withdraw`),
      {
        method: 'POST',
        body: JSON.stringify({ reasons: 'The suspect Sunday Okoro was arrested in France' }),
      },
    );
    expect(withdrawn.status).toBe(202);
    const messageIds = [body.messages[0].messageId, withdrawn.body.messages[0].messageId];
    for (const messageId of messageIds) {
      await waitFor(async () => {
        const { body: message } = await api<MessageDetail>(
          url(FR, `/api/v1/messages/${messageId}`),
        );
        return message.status === 'delivered';
      }, `${messageId} delivered`);
    }
    await waitFor(async () => {
      const { body: request } = await api<{ status: string }>(
        url(NG, `/api/v1/requests/${requestId}`),
      );
      return request.status === 'withdrawn';
    }, 'the withdrawal on NG');
    return { requestId, messageIds };
  }

  const erasedOn = async (authorityId: string, requestId: string) => {
    const { rows } = await db[authorityId].query<{ erased: boolean }>(
      `select content_erased_at is not null as erased from requests where id = $1`,
      [requestId],
    );
    return rows[0]?.erased === true;
  };

  /** How long the node kept the content after the request settled there. */
  const keptSeconds = async (authorityId: string, requestId: string) => {
    const { rows } = await db[authorityId].query<{ kept: string }>(
      `select extract(epoch from content_erased_at - updated_at) as kept from requests where id = $1`,
      [requestId],
    );
    return Number(rows[0].kept);
  };

  const payloadsOf = async (authorityId: string, requestId: string) =>
    (await storedPayloads(network, authorityId, db[authorityId])).filter(
      (payload) => payload.requestId === requestId,
    );

  it('erases each side as its own profile says, keeps what a legal hold covers, and still proves the exchange', async () => {
    // Only a supervisor puts a request on hold, and with a reason.
    const held = await openAndWithdraw();
    const caseworker = await as(network, FR, 'central-authority-officer');
    const denied = await api(url(FR, `/api/v1/requests/${held.requestId}/legal-hold`), {
      method: 'PUT',
      headers: caseworker,
      body: JSON.stringify({ reason: 'Appeal pending before the Cour de cassation' }),
    });
    expect(denied.status).toBe(403);
    const noReason = await api(url(FR, `/api/v1/requests/${held.requestId}/legal-hold`), {
      method: 'PUT',
      body: JSON.stringify({}),
    });
    expect(noReason.status).toBe(400);
    const hold = await api<{ requestId: string; setBy: string; releasedAt: null }>(
      url(FR, `/api/v1/requests/${held.requestId}/legal-hold`),
      {
        method: 'PUT',
        body: JSON.stringify({ reason: 'Appeal pending before the Cour de cassation' }),
      },
    );
    expect(hold.status).toBe(200);
    expect(hold.body).toMatchObject({ requestId: held.requestId, releasedAt: null });

    const { requestId, messageIds } = await openAndWithdraw();

    // NG (3 s) first; FR (12 s) has kept the content meanwhile.
    await waitFor(() => erasedOn(NG, requestId), 'NG erasing the request', 30_000);
    expect(await erasedOn(FR, requestId)).toBe(false);
    expect(JSON.stringify(await payloadsOf(FR, requestId))).toContain(FACTS);
    await waitFor(() => erasedOn(FR, requestId), 'FR erasing the request', 60_000);
    // Each after its own period from its own close, and within a few task intervals of it.
    const kept = {
      [FR]: await keptSeconds(FR, requestId),
      [NG]: await keptSeconds(NG, requestId),
    };
    console.log(JSON.stringify({ contentKeptAfterCloseSeconds: kept }));
    expect(kept[FR]).toBeGreaterThanOrEqual(12);
    expect(kept[FR]).toBeLessThan(16);
    expect(kept[NG]).toBeGreaterThanOrEqual(3);
    expect(kept[NG]).toBeLessThan(7);

    // NG holds nothing: it erased the held request too. FR kept it, its period long past.
    await waitFor(() => erasedOn(NG, held.requestId), 'NG erasing the other request', 30_000);
    expect(await erasedOn(FR, held.requestId)).toBe(false);
    expect(JSON.stringify(await payloadsOf(FR, held.requestId))).toContain(FACTS);

    for (const [node, profile] of [
      [FR, 'mla-drill-fr'],
      [NG, 'mla-drill-ng'],
    ] as const) {
      const stored = JSON.stringify(await payloadsOf(node, requestId));
      expect(stored).not.toContain(FACTS);
      expect(stored).not.toContain('Okoro');
      const { rows: envelopes } = await db[node].query<{ armored: string | null }>(
        'select armored from envelopes where message_id = any($1::uuid[])',
        [messageIds],
      );
      expect(envelopes.map((e) => e.armored)).toEqual([null, null]);

      // What officers see: metadata, the digest and the note in place of the body.
      const { status, body: shown } = await api<MessageDetail>(
        url(node, `/api/v1/messages/${messageIds[0]}`),
      );
      expect(status).toBe(200);
      expect(shown).toMatchObject({
        messageType: 'request',
        sender: FR,
        recipient: NG,
        caseReference: CASE,
        envelopeSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        contentErasure: { profile },
        payload: {
          requestId,
          body: {
            contentErased: expect.stringContaining(`retention profile ${profile} on`) as string,
          },
        },
      });
      const request = await api<{ status: string; state: Record<string, unknown> }>(
        url(node, `/api/v1/requests/${requestId}`),
      );
      expect(request.body).toMatchObject({ status: 'withdrawn', state: { contentErased: true } });

      // The audit trail names what was erased, under which profile and basis, never the content.
      const { rows: entries } = await db[node].query<{
        message_id: string | null;
        details: Record<string, unknown>;
      }>(
        `select message_id, details from audit_log where event = 'retention.erased' and details->>'requestId' = $1 order by id`,
        [requestId],
      );
      expect(entries.map((e) => e.details.kind)).toEqual([
        'message-content',
        'message-content',
        'request-state',
      ]);
      expect(entries[2].details).toMatchObject({
        profile,
        messageIds,
        legalBasis: expect.stringContaining('UNTOC') as string,
      });
      const { rows: all } = await db[node].query<{ details: unknown }>(
        'select details from audit_log',
      );
      expect(JSON.stringify(all)).not.toContain(FACTS);

      const verified = JSON.parse((await cli(network, node, ['audit', 'verify'])).stdout) as {
        ok: boolean;
      };
      expect(verified.ok).toBe(true);
    }

    // The evidence bundle still exports: the receipt verifies against the envelope digest kept.
    const directory = await loadDirectory(join(WORK_DIR, 'directory'));
    const { status, body: bundle } = await api<EvidenceBundle>(
      url(FR, `/api/v1/messages/${messageIds[0]}/evidence`),
    );
    expect(status).toBe(200);
    expect(bundle.envelope.armored).toBeNull();
    expect(bundle.contentErasure).toMatchObject({ profile: 'mla-drill-fr' });
    expect(bundle.audit.map((entry) => entry.event)).toContain('retention.erased');
    const receipt = await verifyReceipt(bundle.receipts[0].armored, directory.find(NG)!, {
      messageId: messageIds[0],
      sender: FR,
      recipient: NG,
      envelopeSha256: bundle.envelope.sha256,
    });
    expect(receipt.receipt.envelopeSha256).toBe(bundle.envelope.sha256);
    const out = mkdtempSync(join(tmpdir(), 'retention-bundle-'));
    await cli(network, FR, ['evidence', messageIds[0], '--out', out]);
    expect(readFileSync(join(out, 'ERASED.md'), 'utf8')).toContain(bundle.envelope.sha256);

    // Forwarding erased content is refused with its own code, not a 500.
    const forwarded = await api<{ error: { code: string } }>(
      url(NG, `/api/v1/messages/${messageIds[0]}/forward`),
      {
        method: 'POST',
        body: JSON.stringify({ recipients: [FR], caseReference: CASE, purpose: 'investigation' }),
      },
    );
    expect(forwarded.body.error?.code).toBe('CONTENT_ERASED');

    // Released, the held request is erased at the next runs.
    const released = await api(url(FR, `/api/v1/requests/${held.requestId}/legal-hold/release`), {
      method: 'POST',
      body: JSON.stringify({ reason: 'Appeal decided' }),
    });
    expect(released.status).toBe(200);
    await waitFor(() => erasedOn(FR, held.requestId), 'FR erasing the released request', 30_000);
    const { rows: holdEntries } = await db[FR].query<{ event: string }>(
      `select event from audit_log where event like 'retention.hold-%' order by id`,
    );
    expect(holdEntries.map((e) => e.event)).toEqual([
      'retention.hold-set',
      'retention.hold-released',
    ]);
    expect(JSON.parse((await cli(network, FR, ['audit', 'verify'])).stdout)).toMatchObject({
      ok: true,
    });
  });
});
