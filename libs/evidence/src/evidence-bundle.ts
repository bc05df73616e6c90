import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry } from '#libs/audit';

/** Everything needed to prove, offline and with GnuPG alone, what was sent, by whom, and that it arrived. */
export interface EvidenceBundle {
  format: 'tip-gateway-evidence/1';
  exportedAt: string;
  exportedBy: string;
  message: {
    id: string;
    direction: string;
    status: string;
    procedure: string;
    messageType: string;
    sender: string;
    recipient: string;
    createdAt: string;
  };
  envelope: { armored: string; sha256: string };
  receipts: Array<{
    armored: string;
    envelopeSha256: string;
    receivedAt: string;
    signerFingerprint: string;
  }>;
  evidences: Array<{ kind: string; occurredAt: string; details: Record<string, unknown> }>;
  /** Each authority's keys, current and past, and when each could sign. */
  keys: Array<{
    authorityId: string;
    armored: string;
    periods: Array<{
      fingerprint: string;
      validFrom: string;
      validUntil: string | null;
      revokedAt: string | null;
      revocationReason: string | null;
    }>;
  }>;
  audit: AuditEntry[];
}

export const VERIFY_INSTRUCTIONS = `# Verifying this evidence bundle with GnuPG

1. Import the public keys of the authorities involved:
     gpg --import keys/*.asc
   and check their fingerprints against the authority directory (or an out-of-band copy):
     gpg --fingerprint
   bundle.json lists, under keys[].periods, when each key could sign: a signature counts only
   if GnuPG's "Signature made" date lies in its key's period (before any revocation; never for
   a key revoked as compromised).
2. Check that the receipt is signed by the recipient's key:
     gpg --verify receipt.asc
   The signed text is a JSON document naming the message id, sender, recipient, the time of
   receipt and envelopeSha256.
3. Check that the receipt attests exactly this envelope:
     sha256sum envelope.asc
   must print the receipt's envelopeSha256.
4. The holder of the sender's or the recipient's private key can open the envelope and check the
   sender's signature on its content:
     gpg --decrypt envelope.asc
   GnuPG reports "Good signature from" the sender authority.
5. audit.json lists the audit entries that concern the message. Each entry's hash is
   SHA-256 over the RFC 8785 canonical JSON of {seq, occurredAt, event, actor, messageId,
   correlationId, details, prevHash}; the node's full chain is verified with
     gateway-cli audit verify
`;

/** Writes a bundle as files: envelope.asc, receipt.asc, keys/<authority>.asc, audit.json, bundle.json, VERIFY.md. */
export function writeEvidenceBundle(bundle: EvidenceBundle, folder: string): string[] {
  mkdirSync(join(folder, 'keys'), { recursive: true });
  const files: Array<[string, string]> = [
    ['envelope.asc', bundle.envelope.armored],
    ...bundle.receipts.map((receipt, index): [string, string] => [
      index === 0 ? 'receipt.asc' : `receipt-${index + 1}.asc`,
      receipt.armored,
    ]),
    ...bundle.keys.map((key): [string, string] => [
      join('keys', `${key.authorityId}.asc`),
      key.armored,
    ]),
    ['audit.json', `${JSON.stringify(bundle.audit, null, 2)}\n`],
    ['bundle.json', `${JSON.stringify(bundle, null, 2)}\n`],
    ['VERIFY.md', VERIFY_INSTRUCTIONS],
  ];
  for (const [name, content] of files) writeFileSync(join(folder, name), content);
  return files.map(([name]) => name);
}
