import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  canonicalJson,
  generateAuthorityKeyPair,
  keyExpiresAt,
  openEnvelope,
  readPublicKey,
  signReceipt,
  unlockPrivateKey,
  verifyReceipt,
  type EnvelopePayload,
  type PrivateKey,
} from '#libs/envelope';
import { mlaRequest } from '#tools/local-network';
import { Authority, type DirectoryKey } from './authority.js';

const DAY = 86_400_000;
/** Every key here was created 100 days before T0; the story then runs from T0. */
const T0 = new Date(Date.now() - 50 * DAY);
const at = (days: number) => new Date(T0.getTime() + days * DAY);

interface Held {
  key: DirectoryKey;
  privateKey: PrivateKey;
}

async function held(periods: Partial<DirectoryKey>, expiresInDays?: number): Promise<Held> {
  const pair = await generateAuthorityKeyPair({
    authorityId: 'FR-MOJ-BEPI',
    authorityName: 'BEPI',
    passphrase: 'pw',
    date: at(-100),
    expiresInDays,
  });
  const publicKey = await readPublicKey(pair.publicKeyArmored);
  return {
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, 'pw'),
    key: {
      fingerprint: pair.fingerprint,
      publicKeyArmored: pair.publicKeyArmored,
      publicKey,
      validFrom: at(-100),
      expiresAt: await keyExpiresAt(publicKey),
      ...periods,
    },
  };
}

function authority(id: string, keys: DirectoryKey[]): Authority {
  return new Authority({
    id,
    state: id.slice(0, 2),
    name: id,
    kind: 'central-authority',
    endpoint: 'https://gateway.example',
    procedures: ['mla'],
    keys,
  });
}

describe('Authority keys', () => {
  // FR rotated on day 0: the old key overlaps until day 30.
  let old: Held;
  let current: Held;
  let fr: Authority;

  beforeAll(async () => {
    old = await held({ validUntil: at(30) });
    current = await held({ validFrom: at(0) });
    fr = authority('FR-MOJ-BEPI', [old.key, current.key]);
  });

  it('encrypts to, and signs with, the newest key valid at the time', () => {
    expect(fr.currentKey(at(-1))?.fingerprint).toBe(old.key.fingerprint);
    // During the overlap both are valid: the new one is current.
    expect(fr.currentKey(at(1))?.fingerprint).toBe(current.key.fingerprint);
    expect(fr.currentKey(at(31))?.fingerprint).toBe(current.key.fingerprint);
    expect(fr.currentKey(at(-101))).toBeUndefined();
  });

  it('never makes a revoked or expired key current', async () => {
    const revoked = authority('FR-MOJ-BEPI', [
      old.key,
      { ...current.key, revokedAt: at(5), revocationReason: 'key-compromised' },
    ]);
    expect(revoked.currentKey(at(4))?.fingerprint).toBe(current.key.fingerprint);
    expect(revoked.currentKey(at(6))?.fingerprint).toBe(old.key.fingerprint);
    expect(revoked.currentKey(at(31))).toBeUndefined();
    const expiring = await held({}, 120);
    const lapsing = authority('NG-MOJ-CA', [expiring.key]);
    expect(lapsing.currentKey(at(10))).toBeDefined();
    expect(lapsing.currentKey(at(21))).toBeUndefined();
  });

  it('accepts a signature made while its key could sign, and says why not otherwise', async () => {
    expect(fr.signatureRefusal(old.key.fingerprint, at(29))).toBeUndefined();
    expect(fr.signatureRefusal(current.key.fingerprint, at(1))).toBeUndefined();
    expect(fr.signatureRefusal(old.key.fingerprint, at(30))).toMatch(
      /after the key's validity ended on /,
    );
    expect(fr.signatureRefusal(current.key.fingerprint, at(-1))).toMatch(
      /before the key became valid/,
    );
    expect(fr.signatureRefusal('0'.repeat(40), at(1))).toMatch(/not one of its directory keys/);

    const superseded = authority('FR-MOJ-BEPI', [
      { ...old.key, revokedAt: at(10), revocationReason: 'key-superseded' },
    ]);
    expect(superseded.signatureRefusal(old.key.fingerprint, at(9))).toBeUndefined();
    expect(superseded.signatureRefusal(old.key.fingerprint, at(10))).toBe(
      `signed ${at(10).toISOString()} by FR-MOJ-BEPI's key ${old.key.fingerprint} after its revocation on ${at(10).toISOString()} (key-superseded)`,
    );
    const compromised = authority('FR-MOJ-BEPI', [
      { ...old.key, revokedAt: at(10), revocationReason: 'key-compromised' },
    ]);
    // Hard revocation (RFC 9580): the time a compromised key claims proves nothing.
    expect(compromised.signatureRefusal(old.key.fingerprint, at(-50))).toMatch(
      /revoked on .* as compromised: none of its signatures is accepted any more/,
    );

    const expiring = await held({}, 120);
    const lapsing = authority('NG-MOJ-CA', [expiring.key]);
    expect(lapsing.signatureRefusal(expiring.key.fingerprint, at(19))).toBeUndefined();
    expect(lapsing.signatureRefusal(expiring.key.fingerprint, at(21))).toMatch(
      /after the key expired/,
    );
  });
});

describe('opening envelopes and receipts across a rotation', () => {
  let frOld: Held;
  let frNew: Held;
  let ngOld: Held;
  let ngNew: Held;
  let directory: (frKeys: DirectoryKey[]) => Map<string, Authority>;

  beforeAll(async () => {
    [frOld, frNew, ngOld, ngNew] = await Promise.all([
      held({ validUntil: at(30) }),
      held({ validFrom: at(0) }),
      held({ validUntil: at(30) }),
      held({ validFrom: at(0) }),
    ]);
    directory = (frKeys) =>
      new Map([
        ['FR-MOJ-BEPI', authority('FR-MOJ-BEPI', frKeys)],
        ['NG-MOJ-CA', authority('NG-MOJ-CA', [ngOld.key, ngNew.key])],
      ]);
  });

  function payloadAt(created: Date): EnvelopePayload {
    const messageId = uuidv7();
    return {
      formatVersion: 1,
      messageId,
      procedure: 'mla',
      messageType: 'request',
      requestId: messageId,
      deadlineProfiles: [],
      sender: 'FR-MOJ-BEPI',
      recipient: 'NG-MOJ-CA',
      createdAt: created.toISOString(),
      inReplyTo: null,
      caseReference: 'FR-2026-001',
      handling: {
        permittedPurpose: 'proceedings 2026/17',
        confidential: true,
        noOnwardTransferTo: [],
      },
      body: mlaRequest('FR-MOJ-BEPI'),
      attachments: [],
    };
  }

  /** As sealEnvelope does, with the signature made at a chosen time. */
  async function sealAt(payload: EnvelopePayload, signer: Held, recipient: Held, date: Date) {
    const message = await openpgp.createMessage({
      binary: new TextEncoder().encode(canonicalJson(payload)),
    });
    return openpgp.encrypt({
      message,
      signingKeys: signer.privateKey,
      encryptionKeys: recipient.key.publicKey,
      date,
      format: 'armored',
    });
  }

  async function open(
    armored: string,
    payload: EnvelopePayload,
    now: Date,
    frKeys: DirectoryKey[],
  ) {
    const authorities = directory(frKeys);
    return openEnvelope(
      new TextEncoder().encode(armored),
      { sender: payload.sender, recipient: payload.recipient, messageId: payload.messageId },
      {
        servedAuthorities: ['NG-MOJ-CA'],
        // NG holds its previous key too.
        decryptionKeys: [ngNew.privateKey, ngOld.privateKey],
        senderKeys: (id) => authorities.get(id),
        maxEnvelopeBytes: 1 << 20,
        maxDecompressedBytes: 1 << 20,
        replayWindowMs: DAY,
        clockSkewMs: 60_000,
        now,
      },
    );
  }

  async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
    const error = await promise.then(
      () => new Error('expected a refusal'),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }

  it('opens, during the overlap, an envelope signed by the old key and sealed to the old key', async () => {
    const payload = payloadAt(at(10));
    const armored = await sealAt(payload, frOld, ngOld, at(10));
    const opened = await open(armored, payload, at(10), [frOld.key, frNew.key]);
    expect(opened.signerFingerprint).toBe(frOld.key.fingerprint);
    expect(opened.signedAt).toEqual(new Date(Math.floor(at(10).getTime() / 1000) * 1000));
  });

  it('opens an envelope signed by the old key before its validity ended, delivered after', async () => {
    const payload = payloadAt(at(29.9));
    const armored = await sealAt(payload, frOld, ngNew, at(29.9));
    await expect(open(armored, payload, at(30.1), [frOld.key, frNew.key])).resolves.toMatchObject({
      signerFingerprint: frOld.key.fingerprint,
    });
  });

  it('refuses with SIGNING_KEY_NOT_VALID a signature by the old key after the overlap', async () => {
    const payload = payloadAt(at(31));
    const armored = await sealAt(payload, frOld, ngNew, at(31));
    const error = await refusal(open(armored, payload, at(31), [frOld.key, frNew.key]));
    expect(error.code).toBe(ErrorCode.SIGNING_KEY_NOT_VALID);
    expect(error.message).toContain(`key ${frOld.key.fingerprint} after the key's validity ended`);
  });

  it('refuses a signature made after the key was revoked, citing the reason', async () => {
    const revoked = { ...frNew.key, revokedAt: at(12), revocationReason: 'key-retired' as const };
    const before = payloadAt(at(11.9));
    await expect(
      open(await sealAt(before, frNew, ngNew, at(11.9)), before, at(12.5), [frOld.key, revoked]),
    ).resolves.toBeDefined();
    const after = payloadAt(at(13));
    const error = await refusal(
      open(await sealAt(after, frNew, ngNew, at(13)), after, at(13), [frOld.key, revoked]),
    );
    expect(error.code).toBe(ErrorCode.SIGNING_KEY_NOT_VALID);
    expect(error.message).toContain(
      `after its revocation on ${at(12).toISOString()} (key-retired)`,
    );
  });

  it('refuses every signature of a key revoked as compromised, backdated or not', async () => {
    const compromised = {
      ...frNew.key,
      revokedAt: at(12),
      revocationReason: 'key-compromised' as const,
    };
    const backdated = payloadAt(at(13));
    const armored = await sealAt(backdated, frNew, ngNew, at(11));
    const error = await refusal(open(armored, backdated, at(13), [frOld.key, compromised]));
    expect(error.code).toBe(ErrorCode.SIGNING_KEY_NOT_VALID);
    expect(error.message).toContain('as compromised');
  });

  it('refuses a signature by a key the directory does not list for the sender', async () => {
    const payload = payloadAt(at(10));
    const armored = await sealAt(payload, frNew, ngNew, at(10));
    const error = await refusal(open(armored, payload, at(10), [frOld.key]));
    expect(error.code).toBe(ErrorCode.SIGNATURE_INVALID);
  });

  it('refuses an envelope sealed to a key the node does not hold', async () => {
    const stranger = await held({});
    const payload = payloadAt(at(10));
    const armored = await sealAt(payload, frNew, stranger, at(10));
    const error = await refusal(open(armored, payload, at(10), [frOld.key, frNew.key]));
    expect(error.code).toBe(ErrorCode.ENVELOPE_DECRYPTION_FAILED);
  });

  it('verifies a receipt by the receiver key valid when it signed, and refuses a revoked one', async () => {
    const receipt = {
      type: 'receipt' as const,
      formatVersion: 1 as const,
      messageId: uuidv7(),
      sender: 'FR-MOJ-BEPI',
      recipient: 'NG-MOJ-CA',
      envelopeSha256: 'a'.repeat(64),
      receivedAt: at(10).toISOString(),
    };
    const expected = { ...receipt };
    // Receipts are signed now: NG's old key without the end of its overlap.
    const signed = await signReceipt(receipt, ngOld.privateKey);
    const ng = authority('NG-MOJ-CA', [{ ...ngOld.key, validUntil: undefined }]);
    await expect(verifyReceipt(signed, ng, expected)).resolves.toEqual({
      receipt,
      signerFingerprint: ngOld.key.fingerprint,
    });
    const compromised = authority('NG-MOJ-CA', [
      { ...ngOld.key, revokedAt: at(-200), revocationReason: 'key-compromised' },
      ngNew.key,
    ]);
    const error = await refusal(verifyReceipt(signed, compromised, expected));
    expect(error.code).toBe(ErrorCode.RECEIPT_INVALID);
    expect(error.message).toContain('as compromised');
  });
});
