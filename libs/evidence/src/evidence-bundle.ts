import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AuditEntry } from '#libs/audit';
import type { AttachmentDigest } from '#libs/envelope';
import type { ContentErasure } from '#libs/messaging';

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
  /** `armored` is null once erased under a retention profile: the digest stays, the receipt signs it. */
  envelope: { armored: string | null; sha256: string };
  /** Set when the message's content was erased (README, Retention); the audit lists `retention.erased`. */
  contentErasure: ContentErasure | null;
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
  /**
   * The files that travelled with the message: the manifest as the signed envelope holds it, and
   * the sealed chunks this node keeps (as sent by the sender, as received by the recipient). The
   * chunks' bytes are not in bundle.json: each is fetched on its own (`evidence/attachments/{n}/
   * chunks/{i}`) and written to `attachments/<n>/` (`writeAttachments`).
   */
  attachments: EvidenceAttachment[];
}

export interface EvidenceAttachment {
  position: number;
  manifest: AttachmentDigest;
  chunks: Array<{
    index: number;
    /** `chunk-NNNNNN.pgp`, beside manifest.json in the file's folder. */
    file: string;
    bytes: number;
    sha256: string;
    /** False when this node does not hold the chunk: not yet received, or received before it kept chunks. */
    held: boolean;
  }>;
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
5. attachments/<n>/ holds each file sent with the message: manifest.json (as the signed envelope
   lists it: name, media type, size, SHA-256 of the plaintext and of every sealed chunk) and the
   sealed chunks this node keeps (chunk-NNNNNN.pgp, as sent or as received):
     sha256sum attachments/0/chunk-*.pgp    # each as manifest.json lists it, in order
   The holder of the recipient's (or the sender's) private key opens them:
     for chunk in attachments/0/chunk-*.pgp; do gpg --status-fd 2 --decrypt "$chunk"; done > file
   GnuPG reports GOODSIG (the sender) and GOODMDC for each; sha256sum file prints the manifest's
   sha256. The receipt names that sha256 for each file it attests.
6. audit.json lists the audit entries that concern the message. Each entry's hash is
   SHA-256 over the RFC 8785 canonical JSON of {seq, occurredAt, event, actor, messageId,
   correlationId, details, prevHash}. An entry's "annex" (free text such as a supervisor's
   justification) is outside the chain: details.annexSha256 is the SHA-256 of its RFC 8785
   canonical JSON, and "erased" stands for an annex erased under retention. The node's full
   chain is verified with
     gateway-cli audit verify
`;

/** In place of envelope.asc once the content was erased: what still proves the exchange. */
function erasureNotice(bundle: EvidenceBundle): string {
  return `# Content erased

${bundle.contentErasure?.note ?? 'The envelope was erased under a retention profile.'}

The envelope's SHA-256 was ${bundle.envelope.sha256}. The receipt (receipt.asc) signs that digest,
so steps 1 and 2 of VERIFY.md still prove what was exchanged, between whom and when; steps 3 and 4
need the envelope and no longer apply. audit.json lists the \`retention.erased\` entry.
`;
}

/**
 * Writes a bundle as files: envelope.asc, receipt.asc, keys/<authority>.asc, audit.json,
 * bundle.json, VERIFY.md (the files sent with the message: `writeAttachments`).
 */
export function writeEvidenceBundle(bundle: EvidenceBundle, folder: string): string[] {
  mkdirSync(join(folder, 'keys'), { recursive: true });
  const files: Array<[string, string]> = [
    bundle.envelope.armored === null
      ? ['ERASED.md', erasureNotice(bundle)]
      : ['envelope.asc', bundle.envelope.armored],
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

/**
 * Writes each file of a bundle to `<folder>/<position>/`: its manifest.json and the sealed chunks
 * the node holds, each fetched by `fetchChunk` and streamed to disk (memory never holds a whole
 * file); a chunk whose SHA-256 is not the signed manifest's is refused and not written. Returns
 * the files written, relative to `folder`.
 */
export async function writeAttachments(
  attachments: readonly EvidenceAttachment[],
  folder: string,
  fetchChunk: (position: number, index: number) => Promise<AsyncIterable<Uint8Array>>,
): Promise<string[]> {
  const written: string[] = [];
  for (const attachment of attachments) {
    const dir = String(attachment.position);
    mkdirSync(join(folder, dir), { recursive: true });
    const manifest = join(dir, 'manifest.json');
    writeFileSync(join(folder, manifest), `${JSON.stringify(attachment.manifest, null, 2)}\n`);
    written.push(manifest);
    for (const chunk of attachment.chunks.filter((c) => c.held)) {
      const path = join(folder, dir, chunk.file);
      const hash = createHash('sha256');
      await pipeline(
        await fetchChunk(attachment.position, chunk.index),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const bytes of source) {
            hash.update(bytes);
            yield bytes;
          }
        },
        createWriteStream(`${path}.part`),
      );
      const sha256 = hash.digest('hex');
      if (sha256 !== chunk.sha256) {
        rmSync(`${path}.part`, { force: true });
        throw new Error(
          `${join(dir, chunk.file)}: SHA-256 ${sha256}, not the ${chunk.sha256} of the signed manifest`,
        );
      }
      renameSync(`${path}.part`, path);
      written.push(join(dir, chunk.file));
    }
  }
  return written;
}
