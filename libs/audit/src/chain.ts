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
  // An administrator put an undelivered message back on the delivery queue (RetryDelivery)
  | 'delivery.retry-requested'
  | 'delivery.retry-refused'
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
  | 'supervision.requested'
  | 'supervision.acknowledged'
  | 'supervision.declined'
  | 'supervision.blocked'
  | 'case-facts.updated'
  | 'case-facts.relaxed'
  | 'case-facts.relaxation-refused'
  | 'user.created'
  | 'user.disabled'
  | 'user.roles-changed'
  // A user's own e-mail notification settings (the address itself is not recorded)
  | 'user.notifications-changed'
  | 'role-grant.requested'
  | 'role-grant.approved'
  | 'role-grant.refused'
  | 'api-key.issued'
  | 'api-key.revoked'
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
  | 'file.received'
  // Peers witness the audit trail: a statement refused, two heads for one position, a check run
  | 'audit.witness-refused'
  | 'audit.witness-conflict'
  | 'audit.witness-checked'
  // The monitors' operational indicators: each answer (its query), and each query refused
  | 'statistics.indicators-read'
  | 'statistics.query-refused'
  // Retention (README, Retention): content or files erased under a profile; legal holds
  | 'retention.erased'
  | 'retention.hold-set'
  | 'retention.hold-released'
  // Backup and restore of a node: each names the backup file's SHA-256
  | 'backup.written'
  | 'node.restored'
  | 'node.restore-refused';

export interface AuditRecord {
  event: AuditEvent;
  /** Who acted: an authority id, a user, or `system`. */
  actor: string;
  messageId?: string | null;
  correlationId?: string | null;
  /** Codes, rule ids, legal bases, digests: never payload content, never secrets. */
  details?: Record<string, unknown>;
  /**
   * Free text the entry must keep for auditors but that may name people (a supervisor's
   * justification, a rule's explanation): sealed beside the entry, outside the chain, which covers
   * its SHA-256 as `details.annexSha256`; erased with the case's content (README, Retention).
   */
  annex?: Record<string, unknown>;
}

/** The SHA-256 of an annex as the chained `details.annexSha256` records it. */
export function annexDigest(annex: Record<string, unknown>): string {
  return sha256Hex(canonicalJson(annex));
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
  /** The entry's annex, opened for auditors; `erased` once retention removed it. Not chained. */
  annex?: Record<string, unknown> | 'erased';
}

/** The hash of an entry covers every field and the previous entry's hash; the annex by its digest in details. */
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
