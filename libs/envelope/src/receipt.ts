import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { canonicalJson } from './payload.js';
import { judgeSignature, type SignatureVerdict, type SignerKeys } from './signer.js';

/** Non-repudiation of receipt: what the receiving node signs and returns for each envelope. */
export interface ReceiptDocument {
  type: 'receipt';
  formatVersion: 1;
  messageId: string;
  /** The authority that sent the envelope. */
  sender: string;
  /** The authority that received it and signs this receipt. */
  recipient: string;
  /** SHA-256 of the envelope bytes exactly as received. */
  envelopeSha256: string;
  receivedAt: string;
  /** Files that travelled as chunks: each as received (size, SHA-256 of the plaintext), in order. */
  attachments?: ReceivedAttachment[];
}

/** A file as the receiving node assembled and verified it. */
export interface ReceivedAttachment {
  position: number;
  fileId: string;
  size: number;
  sha256: string;
}

/** A cleartext-signed receipt: readable as is, verifiable with `gpg --verify`. */
export async function signReceipt(
  receipt: ReceiptDocument,
  key: openpgp.PrivateKey,
): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: canonicalJson(receipt) });
  return openpgp.sign({ message, signingKeys: key, format: 'armored' });
}

export interface VerifiedReceipt {
  receipt: ReceiptDocument;
  /** The receiver's key that signed it: one of its directory keys, valid when it signed. */
  signerFingerprint: string;
}

/**
 * Verifies a receipt against the receiver's directory keys (the key that signed must have been
 * valid and unrevoked when it signed) and checks that it attests exactly the envelope that was sent.
 */
export async function verifyReceipt(
  armored: string,
  receiver: SignerKeys,
  expected: {
    messageId: string;
    sender: string;
    recipient: string;
    envelopeSha256: string;
    /** SHA-256 of every file sent as chunks, in order: the receipt must name each as received. */
    attachments?: readonly string[];
  },
): Promise<VerifiedReceipt> {
  const signed = await readSignedReceipt(armored, receiver).catch(() => undefined);
  const verdict: SignatureVerdict = signed?.verdict ?? { valid: false };
  if (!signed || !verdict.valid) {
    throw new GatewayError(
      ErrorCode.RECEIPT_INVALID,
      (!verdict.valid && verdict.keyRefusal) ||
        `receipt is not validly signed by one of ${expected.recipient}'s directory keys`,
    );
  }
  const { receipt } = signed;
  const mismatched: string[] = (
    ['messageId', 'sender', 'recipient', 'envelopeSha256'] as const
  ).filter((field) => receipt[field] !== expected[field]);
  const files = expected.attachments ?? [];
  const received = receipt.attachments ?? [];
  if (
    files.length !== received.length ||
    files.some((sha256, index) => received[index]?.sha256 !== sha256)
  ) {
    mismatched.push('attachments');
  }
  if (
    receipt.type !== 'receipt' ||
    mismatched.length > 0 ||
    Number.isNaN(Date.parse(receipt.receivedAt))
  ) {
    throw new GatewayError(
      ErrorCode.RECEIPT_INVALID,
      'receipt does not attest the envelope that was sent',
      mismatched.map((field) => ({ field })),
    );
  }
  return { receipt, signerFingerprint: verdict.fingerprint };
}

async function readSignedReceipt(
  armored: string,
  receiver: SignerKeys,
): Promise<{ receipt: ReceiptDocument; verdict: SignatureVerdict }> {
  const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
  const { data, signatures } = await openpgp.verify({
    message,
    verificationKeys: [...receiver.publicKeys],
  });
  return {
    receipt: JSON.parse(data) as ReceiptDocument,
    verdict: await judgeSignature(signatures, receiver),
  };
}
