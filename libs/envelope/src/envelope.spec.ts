import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { ErrorCode, GatewayError } from '#libs/errors';
import { mlaRequest, sealThroughPolicy } from '#tools/local-network';
import { authorisePayload, evaluate } from '#libs/policy';
import { categoriesOf } from '#libs/procedures';
import {
  generateAuthorityKeyPair,
  sealEnvelope,
  openEnvelope,
  readPublicKey,
  sha256Hex,
  signReceipt,
  unlockPrivateKey,
  verifyReceipt,
  type EnvelopePayload,
  type OpeningPolicy,
  type PrivateKey,
  type PublicKey,
  type SignerKeys,
} from './index.js';

interface Party {
  id: string;
  privateKey: PrivateKey;
  publicKey: PublicKey;
  armoredPublic: string;
  armoredPrivate: string;
}

async function party(id: string): Promise<Party> {
  const pair = await generateAuthorityKeyPair({
    authorityId: id,
    authorityName: id,
    passphrase: 'pw',
  });
  return {
    id,
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, 'pw'),
    publicKey: await readPublicKey(pair.publicKeyArmored),
    armoredPublic: pair.publicKeyArmored,
    armoredPrivate: pair.privateKeyArmored,
  };
}

/** A party's one key, valid at any time (key periods are the directory's: authority.spec.ts). */
function signerOf(party: Party): SignerKeys {
  return { id: party.id, publicKeys: [party.publicKey], signatureRefusal: () => undefined };
}

function payload(sender: string, recipient: string, createdAt = new Date()): EnvelopePayload {
  const messageId = uuidv7();
  return {
    formatVersion: 1,
    messageId,
    procedure: 'mla',
    messageType: 'request',
    requestId: messageId,
    deadlineProfiles: ['untoc-mla'],
    sender,
    recipient,
    createdAt: createdAt.toISOString(),
    inReplyTo: null,
    caseReference: 'FR-2026-001',
    handling: {
      permittedPurpose: 'criminal proceedings 2026/17',
      confidential: true,
      noOnwardTransferTo: [],
    },
    body: mlaRequest(sender),
    attachments: [],
  };
}

describe('envelope', () => {
  let fr: Party;
  let ng: Party;
  let intruder: Party;

  beforeAll(async () => {
    [fr, ng, intruder] = await Promise.all([
      party('FR-MOJ-BEPI'),
      party('NG-MOJ-CA'),
      party('XX-ROGUE'),
    ]);
  });

  const policyFor = (recipient: Party, overrides: Partial<OpeningPolicy> = {}): OpeningPolicy => ({
    servedAuthorities: [recipient.id],
    decryptionKeys: [recipient.privateKey],
    senderKeys: (id) => [fr, ng].map(signerOf).find((signer) => signer.id === id),
    maxEnvelopeBytes: 1 << 20,
    maxDecompressedBytes: 1 << 20,
    replayWindowMs: 3_600_000,
    clockSkewMs: 60_000,
    now: new Date(),
    ...overrides,
  });

  const routingOf = (p: EnvelopePayload) => ({
    sender: p.sender,
    recipient: p.recipient,
    messageId: p.messageId,
  });
  const bytes = (text: string) => new TextEncoder().encode(text);

  async function expectRejection(promise: Promise<unknown>, code: string) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(code);
  }

  it('seals and opens a payload, with a digest of the exact bytes', async () => {
    const p = payload(fr.id, ng.id);
    const armored = await sealThroughPolicy(p, {
      signingKey: fr.privateKey,
      recipientKey: ng.publicKey,
    });
    expect(armored).toContain('-----BEGIN PGP MESSAGE-----');
    expect(armored).not.toContain('Benin');
    const opened = await openEnvelope(bytes(armored), routingOf(p), policyFor(ng));
    expect(opened.payload).toEqual(p);
    expect(opened.envelopeSha256).toBe(sha256Hex(armored));
  });

  it('seals nothing without a policy decision for exactly that payload and recipient', async () => {
    const p = payload(fr.id, ng.id);
    const keys = { signingKey: fr.privateKey, recipientKey: ng.publicKey };
    await expectRejection(
      sealEnvelope(p, keys, undefined as never),
      ErrorCode.POLICY_DECISION_MISSING,
    );
    await expectRejection(
      sealEnvelope(p, keys, { payloadDigest: 'x', recipient: ng.id } as never),
      ErrorCode.POLICY_DECISION_MISSING,
    );
    const decision = evaluate({
      channel: 'new-request',
      procedure: 'mla',
      messageType: 'request',
      sender: { authorityId: fr.id, state: 'FR', kind: 'central-authority' },
      recipient: { authorityId: ng.id, state: 'NG', kind: 'central-authority' },
      body: p.body,
      categories: categoriesOf('mla', 'request', p.body),
      facts: {},
      purpose: p.handling.permittedPurpose,
    });
    const token = authorisePayload(decision, p);
    // The authorisation is for this payload: another message id, or an altered body, is refused.
    await expectRejection(
      sealEnvelope({ ...p, messageId: uuidv7() }, keys, token),
      ErrorCode.POLICY_DECISION_MISSING,
    );
    await expectRejection(
      sealEnvelope({ ...p, body: { ...p.body, purpose: 'other' } }, keys, token),
      ErrorCode.POLICY_DECISION_MISSING,
    );
    await expect(sealEnvelope(p, keys, token)).resolves.toContain('-----BEGIN PGP MESSAGE-----');
  });

  it('rejects tampering, wrong signer, unknown sender, misdirection and replays', async () => {
    const p = payload(fr.id, ng.id);
    const armored = await sealThroughPolicy(p, {
      signingKey: fr.privateKey,
      recipientKey: ng.publicKey,
    });
    const lines = armored.split('\n');
    const middle = Math.floor(lines.length / 2);
    lines[middle] =
      lines[middle].slice(0, 10) +
      (lines[middle][10] === 'A' ? 'B' : 'A') +
      lines[middle].slice(11);
    await expectRejection(
      openEnvelope(bytes(lines.join('\n')), routingOf(p), policyFor(ng)),
      ErrorCode.ENVELOPE_DECRYPTION_FAILED,
    );

    const forged = await sealThroughPolicy(p, {
      signingKey: intruder.privateKey,
      recipientKey: ng.publicKey,
    });
    await expectRejection(
      openEnvelope(bytes(forged), routingOf(p), policyFor(ng)),
      ErrorCode.SIGNATURE_INVALID,
    );

    await expectRejection(
      openEnvelope(bytes(armored), { ...routingOf(p), sender: 'XX-ROGUE' }, policyFor(ng)),
      ErrorCode.UNKNOWN_SENDER,
    );
    await expectRejection(
      openEnvelope(bytes(armored), routingOf(p), policyFor(fr)),
      ErrorCode.WRONG_RECIPIENT,
    );
    await expectRejection(
      openEnvelope(bytes(armored), { ...routingOf(p), messageId: uuidv7() }, policyFor(ng)),
      ErrorCode.ROUTING_MISMATCH,
    );
    await expectRejection(
      openEnvelope(
        bytes(armored),
        routingOf(p),
        policyFor(ng, { now: new Date(Date.now() + 7_200_000) }),
      ),
      ErrorCode.ENVELOPE_EXPIRED,
    );
    const ahead = payload(fr.id, ng.id, new Date(Date.now() + 7_200_000));
    const aheadArmored = await sealThroughPolicy(ahead, {
      signingKey: fr.privateKey,
      recipientKey: ng.publicKey,
    });
    await expectRejection(
      openEnvelope(bytes(aheadArmored), routingOf(ahead), policyFor(ng)),
      ErrorCode.ENVELOPE_FROM_FUTURE,
    );
    await expectRejection(
      openEnvelope(bytes('not pgp'), routingOf(p), policyFor(ng)),
      ErrorCode.ENVELOPE_MALFORMED,
    );
    await expectRejection(
      openEnvelope(bytes(armored), routingOf(p), policyFor(ng, { maxEnvelopeBytes: 100 })),
      ErrorCode.ENVELOPE_TOO_LARGE,
    );
  });

  it('signs receipts that attest the envelope digest and refuses altered ones', async () => {
    const receipt = {
      type: 'receipt' as const,
      formatVersion: 1 as const,
      messageId: uuidv7(),
      sender: fr.id,
      recipient: ng.id,
      envelopeSha256: sha256Hex('envelope'),
      receivedAt: new Date().toISOString(),
    };
    const signed = await signReceipt(receipt, ng.privateKey);
    const expected = {
      messageId: receipt.messageId,
      sender: fr.id,
      recipient: ng.id,
      envelopeSha256: receipt.envelopeSha256,
    };
    await expect(verifyReceipt(signed, signerOf(ng), expected)).resolves.toEqual({
      receipt,
      signerFingerprint: ng.publicKey.getFingerprint().toUpperCase(),
    });
    await expectRejection(
      verifyReceipt(signed, { ...signerOf(fr), id: ng.id }, expected),
      ErrorCode.RECEIPT_INVALID,
    );
    await expectRejection(
      verifyReceipt(signed, signerOf(ng), { ...expected, envelopeSha256: sha256Hex('other') }),
      ErrorCode.RECEIPT_INVALID,
    );
  });

  it('counts a message with files delivered only when the receipt names each file as sent', async () => {
    const file = { position: 0, fileId: 'f-1', size: 3, sha256: sha256Hex('abc') };
    const receipt = {
      type: 'receipt' as const,
      formatVersion: 1 as const,
      messageId: uuidv7(),
      sender: fr.id,
      recipient: ng.id,
      envelopeSha256: sha256Hex('envelope'),
      receivedAt: new Date().toISOString(),
      attachments: [file],
    };
    const signed = await signReceipt(receipt, ng.privateKey);
    const expected = {
      messageId: receipt.messageId,
      sender: fr.id,
      recipient: ng.id,
      envelopeSha256: receipt.envelopeSha256,
    };
    await expect(
      verifyReceipt(signed, signerOf(ng), { ...expected, attachments: [file.sha256] }),
    ).resolves.toMatchObject({ receipt });
    await expectRejection(
      verifyReceipt(signed, signerOf(ng), { ...expected, attachments: [sha256Hex('abd')] }),
      ErrorCode.RECEIPT_INVALID,
    );
    // A receipt of the envelope alone does not count for a message that carried files.
    const bare = await signReceipt({ ...receipt, attachments: undefined }, ng.privateKey);
    await expectRejection(
      verifyReceipt(bare, signerOf(ng), { ...expected, attachments: [file.sha256] }),
      ErrorCode.RECEIPT_INVALID,
    );
  });

  const gpg = (() => {
    try {
      execFileSync('gpg', ['--version']);
      return true;
    } catch {
      return false;
    }
  })();

  (gpg ? it : it.skip)(
    'produces envelopes and receipts that GnuPG verifies and decrypts',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'gpg-'));
      const run = (args: string[], input?: string) =>
        execFileSync(
          'gpg',
          [
            '--homedir',
            home,
            '--batch',
            '--pinentry-mode',
            'loopback',
            '--passphrase',
            'pw',
            ...args,
          ],
          {
            input,
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        ).toString();
      run(['--import'], fr.armoredPublic);
      run(['--import'], ng.armoredPrivate);
      const p = payload(fr.id, ng.id);
      const armored = await sealThroughPolicy(p, {
        signingKey: fr.privateKey,
        recipientKey: ng.publicKey,
      });
      const file = join(home, 'envelope.asc');
      writeFileSync(file, armored);
      const status = execFileSync(
        'gpg',
        [
          '--homedir',
          home,
          '--batch',
          '--pinentry-mode',
          'loopback',
          '--passphrase',
          'pw',
          '--status-fd',
          '1',
          '--decrypt',
          file,
        ],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      ).toString();
      expect(status).toContain('[GNUPG:] GOODSIG');
      expect(status).toContain(p.messageId);
      const receipt = await signReceipt(
        {
          type: 'receipt',
          formatVersion: 1,
          messageId: p.messageId,
          sender: fr.id,
          recipient: ng.id,
          envelopeSha256: sha256Hex(armored),
          receivedAt: new Date().toISOString(),
        },
        ng.privateKey,
      );
      expect(run(['--status-fd', '1', '--verify'], receipt)).toContain('[GNUPG:] GOODSIG');
    },
  );
});
