import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import type pg from 'pg';
import { loadDirectory, type AuthorityDirectory } from '#libs/directory';
import {
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  judgeSignature,
  ROUTING_HEADERS,
  unlockKeyRing,
  verifyReceipt,
  type PrivateKey,
} from '#libs/envelope';
import type { EvidenceBundle } from '#libs/evidence';
import type { Rotation } from '#libs/keys';
import {
  LocalNetwork,
  mlaEnvelope,
  mlaRequest,
  SAMPLE_HANDLING,
  sealThroughPolicy,
} from '#tools/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import { api, cli, nodeDatabase, signIn, waitFor } from './support/network.js';

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';

interface Health {
  details: {
    key: { status: string; fingerprint: string; held: string[] };
    keyExpiry: {
      warningDays: number;
      warnings: Array<{
        authorityId: string;
        owner: string;
        fingerprint: string;
        daysLeft: number;
      }>;
    };
  };
}

/**
 * Key rotation, revocation, expiry warnings and the signed directory across two real nodes.
 * The keys change through the operator's commands (`keys rotate`, `keys revoke`), the directory
 * authority signs the new directory (LocalNetwork.publishDirectory, as `directory sign` does), and
 * the nodes are restarted to load it, as in production.
 */
describe('key lifecycle across real processes', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  let ngDb: pg.Pool;
  let folder: string;
  let frRotation: Rotation;
  let ngRotation: Rotation;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_keys',
      workDir: join(tmpdir(), 'gateway-e2e-keys'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4251,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4252,
        },
      ],
      env: {
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '2000',
        GATEWAY_KEY_EXPIRY_CHECK_INTERVAL_MS: '1000',
      },
    });
    folder = join(network.options.workDir, 'directory');
    await signIn(network);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
    ngDb = nodeDatabase(network, NG);
  });

  afterAll(async () => {
    await network?.stopAll();
    await frDb?.end();
    await ngDb?.end();
  });

  const send = async () => {
    const { status, body } = await api<SubmissionAccepted>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        recipients: [NG],
        procedure: 'mla',
        messageType: 'request',
        caseReference: `FR-PNAT-2026-${Math.floor(Math.random() * 1e6)}`,
        handling: SAMPLE_HANDLING,
        body: mlaRequest(FR),
      }),
    });
    expect(status).toBe(202);
    return body.messages[0];
  };

  const waitDelivered = (messageId: string) =>
    waitFor(async () => {
      const { body } = await api<MessageDetail>(`${network.url(FR)}/api/v1/messages/${messageId}`);
      return body.status === 'delivered' ? body : undefined;
    }, `delivery of ${messageId}`);

  /** Restarts gateway and worker of each node, so that they load the newly published directory. */
  const restart = async (...ids: string[]) => {
    for (const id of ids) {
      await network.stop(id, 'gateway');
      await network.stop(id, 'worker');
      network.start(id, 'gateway');
      network.start(id, 'worker');
    }
    await Promise.all(ids.map((id) => network.waitReady(id)));
  };

  const keysCli = async (id: string, args: string[]) =>
    JSON.parse((await cli(network, id, ['keys', ...args])).stdout) as unknown;

  /** The node's key ring as the node holds it: every key, unlocked with its passphrase. */
  const ringOf = async (id: string): Promise<PrivateKey[]> => {
    const secrets = join(network.options.workDir, 'secrets');
    return unlockKeyRing(
      readFileSync(join(secrets, `${id}.key.asc`), 'utf8'),
      readFileSync(join(secrets, `${id}.passphrase`), 'utf8'),
    );
  };
  const keyOf = async (id: string, fingerprint: string) =>
    (await ringOf(id)).find((key) => key.getFingerprint().toUpperCase() === fingerprint)!;

  const audited = async (db: pg.Pool, event: string) =>
    (
      await db.query<{ details: Record<string, unknown>; message_id: string | null }>(
        `select details, message_id from audit_log where event = $1 order by id`,
        [event],
      )
    ).rows;

  /** Which of FR's keys signed a message NG accepted, and when (NG's message.received entry). */
  const signatureOfReceived = async (messageId: string) =>
    (await audited(ngDb, 'message.received')).find((row) => row.message_id === messageId)
      ?.details as { signer: string; signedAt: string } | undefined;

  const health = async (id: string) =>
    (await api<Health>(`${network.url(id)}/health/ready`)).body.details;

  it('rotates both nodes’ keys with an overlap: old signatures still count, new envelopes use the new keys', async () => {
    const before = await send();
    await waitDelivered(before.messageId);
    // Still queued when the keys change: signed with FR's old key and sealed to NG's old key.
    await network.stop(NG, 'gateway');
    const queued = await send();

    frRotation = (await keysCli(FR, [
      'rotate',
      '--directory',
      folder,
      '--authority',
      FR,
      '--overlap-days',
      '30',
    ])) as Rotation;
    ngRotation = (await keysCli(NG, [
      'rotate',
      '--directory',
      folder,
      '--authority',
      NG,
    ])) as Rotation;
    expect(frRotation.previous?.validUntil).toBe(
      new Date(Date.parse(frRotation.validFrom) + 30 * 86_400_000).toISOString(),
    );
    await network.publishDirectory();
    await restart(FR, NG);

    // NG opens the queued envelope with its previous key and accepts FR's old signature: the key
    // was valid when it signed. Its receipt is signed with NG's new key, which FR now knows.
    const delivered = await waitDelivered(queued.messageId);
    const queuedSignature = await signatureOfReceived(queued.messageId);
    expect(queuedSignature?.signer).toBe(frRotation.previous!.fingerprint);
    expect(Date.parse(queuedSignature!.signedAt)).toBeLessThanOrEqual(
      Date.parse(frRotation.validFrom),
    );
    expect(delivered.receipt?.signerFingerprint).toBe(ngRotation.fingerprint);

    // A new envelope is signed with FR's new key and sealed to NG's new key (not the old one).
    const after = await send();
    await waitDelivered(after.messageId);
    expect((await signatureOfReceived(after.messageId))?.signer).toBe(frRotation.fingerprint);
    const { body: afterBundle } = await api<EvidenceBundle>(
      `${network.url(FR)}/api/v1/messages/${after.messageId}/evidence`,
    );
    const sealedTo = (await openpgp.readMessage({ armoredMessage: afterBundle.envelope.armored! }))
      .getEncryptionKeyIDs()
      .map((id) => id.toHex());
    const directory = await loadDirectory(folder);
    const subkeysOf = (fingerprint: string) =>
      directory
        .find(NG)!
        .key(fingerprint)!
        .publicKey.getSubkeys()
        .map((subkey) => subkey.getKeyID().toHex());
    expect(sealedTo).toEqual(expect.arrayContaining(subkeysOf(ngRotation.fingerprint)));
    expect(sealedTo).not.toEqual(
      expect.arrayContaining(subkeysOf(ngRotation.previous!.fingerprint)),
    );

    const frHealth = await health(FR);
    expect(frHealth.key.fingerprint).toBe(frRotation.fingerprint);
    expect(frHealth.key.held.sort()).toEqual(
      [frRotation.fingerprint, frRotation.previous!.fingerprint].sort(),
    );

    await expectOldEvidenceVerifies(before.messageId, directory);
    for (const id of [FR, NG]) {
      expect(JSON.parse((await cli(network, id, ['audit', 'verify'])).stdout)).toMatchObject({
        ok: true,
      });
    }
  });

  /** The evidence of a message exchanged before the rotation, exported after it, still verifies. */
  async function expectOldEvidenceVerifies(messageId: string, directory: AuthorityDirectory) {
    const { body: bundle } = await api<EvidenceBundle>(
      `${network.url(FR)}/api/v1/messages/${messageId}/evidence`,
    );
    const frKeys = bundle.keys.find((entry) => entry.authorityId === FR)!;
    expect(frKeys.periods.map((period) => period.fingerprint)).toEqual([
      frRotation.previous!.fingerprint,
      frRotation.fingerprint,
    ]);
    expect(frKeys.periods[0].validUntil).toBe(frRotation.previous!.validUntil);

    // The receipt, signed by NG's previous key while it was current.
    const receipt = await verifyReceipt(bundle.receipts[0].armored, directory.find(NG)!, {
      messageId,
      sender: FR,
      recipient: NG,
      envelopeSha256: bundle.envelope.sha256,
    });
    expect(receipt.signerFingerprint).toBe(ngRotation.previous!.fingerprint);

    // The envelope, opened with FR's previous key (FR seals to itself too) and signed by it.
    const { signatures } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: bundle.envelope.armored! }),
      decryptionKeys: await ringOf(FR),
      verificationKeys: directory.find(FR)!.publicKeys,
    });
    expect(await judgeSignature(signatures, directory.find(FR)!)).toMatchObject({
      valid: true,
      fingerprint: frRotation.previous!.fingerprint,
    });

    // And with GnuPG alone, from the bundle's files.
    const out = mkdtempSync(join(tmpdir(), 'keys-evidence-'));
    await cli(network, FR, ['evidence', messageId, '--out', out]);
    const home = mkdtempSync(join(tmpdir(), 'gnupg-'));
    const gpg = (args: string[]) =>
      execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', ...args], {
        cwd: out,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    gpg(['--import', join(out, 'keys', `${FR}.asc`), join(out, 'keys', `${NG}.asc`)]);
    expect(gpg(['--verify', join(out, 'receipt.asc')])).toContain(
      `VALIDSIG ${ngRotation.previous!.fingerprint}`,
    );
  }

  it('refuses an envelope signed after its key was revoked: audited, nothing stored', async () => {
    const revoked = frRotation.previous!.fingerprint;
    const revocation = (await keysCli(FR, [
      'revoke',
      '--directory',
      folder,
      '--fingerprint',
      revoked,
      '--reason',
      'key-superseded',
    ])) as { authorities: string[]; withoutValidKey: string[] };
    expect(revocation).toEqual({ authorities: [FR], withoutValidKey: [] });
    await network.publishDirectory();
    await restart(NG);

    const payload = mlaEnvelope(FR, NG, { caseReference: 'FR-PNAT-2026-0900' });
    const ngCurrent = (await loadDirectory(folder)).find(NG)!.currentKey(new Date())!.publicKey;
    // Signed now by whoever still holds FR's revoked key.
    const armored = await sealThroughPolicy(payload, {
      signingKey: await keyOf(FR, revoked),
      recipientKey: ngCurrent,
    });
    const answer = await api<{ error: { code: string; message: string } }>(
      `${network.url(NG)}${INBOUND_PATH}`,
      {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: FR,
          [ROUTING_HEADERS.recipient]: NG,
          [ROUTING_HEADERS.messageId]: payload.messageId,
        },
        body: armored,
      },
    );
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('SIGNING_KEY_NOT_VALID');
    expect(answer.body.error.message).toContain(`${FR}'s key ${revoked} after its revocation on`);
    expect(answer.body.error.message).toContain('(key-superseded)');

    const rejected = (await audited(ngDb, 'message.rejected')).filter(
      (row) => row.details.claimedMessageId === payload.messageId,
    );
    expect(rejected.map((row) => row.details.code)).toEqual(['SIGNING_KEY_NOT_VALID']);
    expect(rejected[0].details.reason).toBe(answer.body.error.message);
    const stored = await ngDb.query(`select 1 from messages where id = $1`, [payload.messageId]);
    expect(stored.rowCount).toBe(0);

    // FR's own messages, signed with its current key, still go through.
    const accepted = await send();
    await waitDelivered(accepted.messageId);
  });

  let beforeExpiryRotation: string;

  it('warns 60 days ahead of a key lapsing: logged, audited, on /health/ready, and again in the worker', async () => {
    // NG's next key expires (OpenPGP) in 45 days, and nothing follows it in the directory.
    const expiring = (await keysCli(NG, [
      'rotate',
      '--directory',
      folder,
      '--authority',
      NG,
      '--expires-in-days',
      '45',
    ])) as Rotation;
    beforeExpiryRotation = readFileSync(network.directoryFile, 'utf8');
    await network.publishDirectory();
    await restart(NG, FR);

    const ngHealth = await health(NG);
    expect(ngHealth.key.fingerprint).toBe(expiring.fingerprint);
    expect(ngHealth.keyExpiry.warningDays).toBe(60);
    expect(ngHealth.keyExpiry.warnings).toEqual([
      expect.objectContaining({ authorityId: NG, owner: 'own', fingerprint: expiring.fingerprint }),
    ]);
    expect([44, 45]).toContain(ngHealth.keyExpiry.warnings[0].daysLeft);
    expect((await health(FR)).keyExpiry.warnings).toEqual([
      expect.objectContaining({
        authorityId: NG,
        owner: 'peer',
        fingerprint: expiring.fingerprint,
      }),
    ]);

    const warned = await audited(ngDb, 'key.expiring');
    expect(warned[0].details).toMatchObject({
      authorityId: NG,
      owner: 'own',
      fingerprint: expiring.fingerprint,
      warningDays: 60,
      reason: expect.stringContaining('expires (OpenPGP key expiry)') as string,
      basis: expect.stringContaining('60 days ahead') as string,
    });
    expect((await audited(frDb, 'key.expiring'))[0].details).toMatchObject({
      authorityId: NG,
      owner: 'peer',
    });
    // The node checks again at every interval (1 s here), in whichever process leads the task.
    const count = warned.length;
    await waitFor(
      async () => (await audited(ngDb, 'key.expiring')).length >= count + 2,
      'periodic expiry warnings',
    );
    await waitFor(
      async () =>
        readFileSync(network.logFile(NG, 'worker'), 'utf8')
          .split('\n')
          .some(
            (line) => line.includes('key expiry warning') && line.includes(expiring.fingerprint),
          ),
      'the warning in the worker log (its start-up check)',
    );

    // Still usable meanwhile.
    const message = await send();
    await waitDelivered(message.messageId);
  });

  it('refuses at start-up a signed directory older than the one it accepted', async () => {
    const current = readFileSync(network.directoryFile, 'utf8');
    await network.stop(NG, 'gateway');
    writeFileSync(network.directoryFile, beforeExpiryRotation);
    network.start(NG, 'gateway');
    await expect(network.waitReady(NG, 30_000)).rejects.toThrow(/exited during start-up/);
    expect(readFileSync(network.logFile(NG, 'gateway'), 'utf8')).toContain('DIRECTORY_ROLLBACK');
    const refused = await audited(ngDb, 'directory.refused');
    expect(refused.at(-1)?.details).toMatchObject({
      code: 'DIRECTORY_ROLLBACK',
      reason: expect.stringContaining('refused as a rollback') as string,
    });

    writeFileSync(network.directoryFile, current);
    network.start(NG, 'gateway');
    await network.waitReady(NG);
  });

  it('never writes a passphrase or private key material to its logs', () => {
    const logs = [FR, NG]
      .flatMap((id) =>
        (['gateway', 'worker'] as const).map((component) => network.logFile(id, component)),
      )
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const secrets = join(network.options.workDir, 'secrets');
    for (const id of [FR, NG, 'directory-authority']) {
      const passphrase = readFileSync(join(secrets, `${id}.passphrase`), 'utf8');
      expect(logs.includes(passphrase)).toBe(false);
      for (const line of readFileSync(join(secrets, `${id}.key.asc`), 'utf8').split('\n')) {
        if (line.length > 40) expect(logs.includes(line)).toBe(false);
      }
    }
  });
});
