import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { canonicalJson } from './payload.js';

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
}

/** A cleartext-signed receipt: readable as is, verifiable with `gpg --verify`. */
export async function signReceipt(
  receipt: ReceiptDocument,
  key: openpgp.PrivateKey,
): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: canonicalJson(receipt) });
  return openpgp.sign({ message, signingKeys: key, format: 'armored' });
}

/**
 * Verifies a receipt against the receiver's directory key and checks that it attests exactly the
 * envelope that was sent.
 */
export async function verifyReceipt(
  armored: string,
  receiverKey: openpgp.PublicKey,
  expected: { messageId: string; sender: string; recipient: string; envelopeSha256: string },
): Promise<ReceiptDocument> {
  let receipt: ReceiptDocument;
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
    const { data } = await openpgp.verify({
      message,
      verificationKeys: receiverKey,
      expectSigned: true,
    });
    receipt = JSON.parse(data) as ReceiptDocument;
  } catch {
    throw new GatewayError(
      ErrorCode.RECEIPT_INVALID,
      `receipt is not validly signed by ${expected.recipient}'s directory key`,
    );
  }
  const mismatched = (['messageId', 'sender', 'recipient', 'envelopeSha256'] as const).filter(
    (field) => receipt[field] !== expected[field],
  );
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
  return receipt;
}
