import { ErrorCode } from '#libs/errors';
import {
  generateAuthorityKeyPair,
  openControl,
  readPublicKey,
  sealControl,
  unlockPrivateKey,
  type ControlOpeningPolicy,
  type PrivateKey,
  type PublicKey,
  type SignerKeys,
} from './index.js';

interface Party {
  id: string;
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

async function party(id: string): Promise<Party> {
  const pair = await generateAuthorityKeyPair({
    authorityId: id,
    authorityName: id,
    passphrase: 'p',
  });
  return {
    id,
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, 'p'),
    publicKey: await readPublicKey(pair.publicKeyArmored),
  };
}

const signerOf = (p: Party): SignerKeys => ({
  id: p.id,
  publicKeys: [p.publicKey],
  signatureRefusal: () => undefined,
});

describe('control documents between the nodes of a State', () => {
  let interior: Party;
  let asylum: Party;
  let stranger: Party;

  beforeAll(async () => {
    [interior, asylum, stranger] = await Promise.all([
      party('FR-MININT-DGEF'),
      party('FR-OFPRA'),
      party('NG-MOJ-CA'),
    ]);
  }, 30_000);

  const question = (createdAt = new Date()) => ({
    type: 'register-check',
    sender: interior.id,
    recipient: asylum.id,
    createdAt: createdAt.toISOString(),
    persons: [{ index: 0, hashes: ['x'] }],
  });

  const policy = (overrides: Partial<ControlOpeningPolicy> = {}): ControlOpeningPolicy => ({
    type: 'register-check',
    recipient: asylum.id,
    decryptionKeys: [asylum.privateKey],
    sender: signerOf(interior),
    maxBytes: 1024 * 1024,
    maxAgeMs: 300_000,
    clockSkewMs: 60_000,
    now: new Date(),
    ...overrides,
  });

  const seal = (document: object, from = interior, to = asylum) =>
    sealControl(document as never, { signingKey: from.privateKey, recipientKey: to.publicKey });

  it('opens what the asking node sealed to this one, and nothing else', async () => {
    const armored = await seal(question());
    await expect(openControl(armored, policy())).resolves.toMatchObject({
      type: 'register-check',
      sender: interior.id,
      persons: [{ index: 0, hashes: ['x'] }],
    });
    // Only the node asked can read it: not even the asker keeps a way in.
    await expect(
      openControl(armored, policy({ decryptionKeys: [interior.privateKey] })),
    ).rejects.toMatchObject({ code: ErrorCode.ENVELOPE_DECRYPTION_FAILED });
  });

  it('refuses another signer, another type or recipient, and stale or future documents', async () => {
    const forged = await seal(question(), stranger);
    await expect(openControl(forged, policy())).rejects.toMatchObject({
      code: ErrorCode.SIGNATURE_INVALID,
    });
    const armored = await seal(question());
    await expect(openControl(armored, policy({ type: 'register-answer' }))).rejects.toMatchObject({
      code: ErrorCode.ROUTING_MISMATCH,
    });
    const old = await seal(question(new Date(Date.now() - 600_000)));
    await expect(openControl(old, policy())).rejects.toMatchObject({
      code: ErrorCode.ENVELOPE_EXPIRED,
    });
    const ahead = await seal(question(new Date(Date.now() + 600_000)));
    await expect(openControl(ahead, policy())).rejects.toMatchObject({
      code: ErrorCode.ENVELOPE_FROM_FUTURE,
    });
  });

  it('judges the packets before any key is used, and bounds the size', async () => {
    await expect(openControl('not armor', policy())).rejects.toMatchObject({
      code: ErrorCode.ENVELOPE_MALFORMED,
    });
    const armored = await seal(question());
    await expect(openControl(armored, policy({ maxBytes: 100 }))).rejects.toMatchObject({
      code: ErrorCode.ENVELOPE_TOO_LARGE,
    });
    // Sealed to another node: no session key this node holds, refused before decrypting.
    const elsewhere = await seal(question(), interior, stranger);
    await expect(openControl(elsewhere, policy())).rejects.toMatchObject({
      code: ErrorCode.ENVELOPE_DECRYPTION_FAILED,
    });
  });
});
