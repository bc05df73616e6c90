import { canonicalJson, sha256Hex } from '#libs/envelope';

export const GENESIS_HASH = '0'.repeat(64);

/** Events the trail records; names are stable so that auditors can query them. */
export type AuditEvent =
  | 'configuration.loaded'
  | 'key.loaded'
  | 'key.expiring'
  | 'directory.accepted'
  | 'directory.refused'
  | 'message.sent'
  | 'message.retried'
  | 'message.delivered'
  | 'message.failed'
  | 'message.received'
  | 'message.duplicate'
  | 'message.rejected'
  | 'message.read'
  | 'receipt.rejected'
  | 'evidence.exported'
  | 'deadline.reminder'
  | 'deadline.expired'
  | 'deadline.extended'
  | 'policy.decided'
  | 'policy.refused'
  | 'policy.explained'
  | 'register.entry-added'
  | 'register.entry-removed'
  | 'register.checked'
  | 'register.check-refused'
  | 'register.review-opened'
  | 'register.review-confirmed'
  | 'register.review-cleared'
  | 'submission.held'
  | 'submission.released'
  | 'submission.blocked'
  | 'submission.failed'
  | 'case-facts.updated'
  | 'case-facts.relaxed'
  | 'case-facts.relaxation-refused'
  | 'user.created'
  | 'user.disabled'
  | 'user.roles-changed'
  | 'role-grant.requested'
  | 'role-grant.approved'
  | 'role-grant.refused'
  | 'api-key.issued'
  | 'token.issued'
  // The officer console: a credential exchanged for a session cookie, and the session ended
  | 'session.opened'
  | 'session.ended'
  | 'access.denied'
  | 'access.not-found'
  | 'rate.limited'
  // Evidence files (libs/files): each retrieval is recorded as evidence of who read what
  | 'file.upload-started'
  | 'file.uploaded'
  | 'file.upload-refused'
  | 'file.upload-terminated'
  | 'file.attached'
  | 'file.retrieved'
  | 'file.expired'
  // Files travelling with messages (issue 12)
  | 'file.chunk-sent'
  | 'file.chunk-received'
  | 'file.chunk-rejected'
  | 'file.received';

export interface AuditRecord {
  event: AuditEvent;
  /** Who acted: an authority id, a user, or `system`. */
  actor: string;
  messageId?: string | null;
  correlationId?: string | null;
  /** Codes, rule ids, legal bases, digests: never payload content, never secrets. */
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: string;
  occurredAt: string;
  event: string;
  actor: string;
  messageId: string | null;
  correlationId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The hash of an entry covers every field and the previous entry's hash. */
export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      seq: entry.seq,
      occurredAt: entry.occurredAt,
      event: entry.event,
      actor: entry.actor,
      messageId: entry.messageId,
      correlationId: entry.correlationId,
      details: entry.details,
      prevHash: entry.prevHash,
    }),
  );
}

export interface ChainBreak {
  seq: string;
  reason: 'sequence-gap' | 'previous-hash-mismatch' | 'entry-hash-mismatch';
}

export interface ChainVerification {
  ok: boolean;
  entries: number;
  headSeq: string;
  headHash: string;
  firstBreak?: ChainBreak;
}

/** Verifies entries in sequence order, fed in batches; stops at the first break. */
export class ChainVerifier {
  private entries = 0;
  private lastSeq = 0n;
  private lastHash = GENESIS_HASH;
  private broken?: ChainBreak;

  /** Returns false once the chain is broken: the caller can stop reading. */
  feed(entry: AuditEntry): boolean {
    if (this.broken) return false;
    const expectedSeq = this.lastSeq + 1n;
    if (BigInt(entry.seq) !== expectedSeq) {
      this.broken = { seq: expectedSeq.toString(), reason: 'sequence-gap' };
    } else if (entry.prevHash !== this.lastHash) {
      this.broken = { seq: entry.seq, reason: 'previous-hash-mismatch' };
    } else if (hashEntry(entry) !== entry.hash) {
      this.broken = { seq: entry.seq, reason: 'entry-hash-mismatch' };
    }
    if (this.broken) return false;
    this.entries += 1;
    this.lastSeq = expectedSeq;
    this.lastHash = entry.hash;
    return true;
  }

  /** `head` is the stored chain head: a truncated tail is a break too. */
  result(head?: { seq: string; hash: string }): ChainVerification {
    let firstBreak = this.broken;
    if (!firstBreak && head && head.seq !== this.lastSeq.toString()) {
      firstBreak = { seq: (this.lastSeq + 1n).toString(), reason: 'sequence-gap' };
    } else if (!firstBreak && head && head.hash !== this.lastHash) {
      // Same length, different last hash: the last entry was rewritten (and re-hashed).
      firstBreak = { seq: head.seq, reason: 'entry-hash-mismatch' };
    }
    return {
      ok: !firstBreak,
      entries: this.entries,
      headSeq: this.lastSeq.toString(),
      headHash: this.lastHash,
      ...(firstBreak ? { firstBreak } : {}),
    };
  }
}
