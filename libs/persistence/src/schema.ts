import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;
/** Case content, sealed with the node's data key (ColumnCipher): bound to its column and row. */
type Sealed = ColumnType<Buffer, Buffer, Buffer>;

export type MessageDirection = 'outbound' | 'inbound';

export interface MessagesTable {
  id: string;
  direction: MessageDirection;
  status: string;
  procedure: string;
  message_type: string;
  sender: string;
  recipient: string;
  case_reference: string | null;
  in_reply_to: string | null;
  created_at: Timestamp;
  payload: Sealed;
  correlation_id: string;
  attempts: Generated<number>;
  last_error: string | null;
  /** Outbound only: when the retry window closes. */
  retry_until: Timestamp | null;
  status_changed_at: Timestamp;
  request_id: string | null;
  /** The hosted authority the message belongs to (generated: sender if outbound, else recipient). */
  authority: ColumnType<string, never, never>;
  /** Set when the retention task erased the content (0022): `payload` then holds an erasure stub. */
  content_erased_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
  retention_profile: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Raw envelopes, byte for byte as sent or received: the non-repudiation evidence. */
export interface EnvelopesTable {
  message_id: string;
  /** Null once erased under a retention profile (0022): the digest stays, the receipt signs it. */
  armored: string | null;
  sha256: string;
  stored_at: Timestamp;
}

/** Signed receipts: issued (inbound) or verified (outbound). */
export interface ReceiptsTable {
  message_id: string;
  armored: string;
  envelope_sha256: string;
  received_at: Timestamp;
  signer_fingerprint: string;
  stored_at: Timestamp;
}

/** e-CODEX-style evidences: submission acceptance, delivery, non-delivery. */
export interface EvidencesTable {
  id: Generated<string>;
  message_id: string;
  kind: 'submission-acceptance' | 'delivery' | 'non-delivery' | 'deadline-expired';
  occurred_at: Timestamp;
  details: Json;
}

export interface AuditLogTable {
  id: Generated<string>;
  /** Place in the hash chain; null until the chainer reaches the entry. */
  seq: string | null;
  occurred_at: Timestamp;
  event: string;
  actor: string;
  message_id: string | null;
  correlation_id: string | null;
  details: Json;
  prev_hash: string | null;
  hash: string | null;
  /** Sealed free text outside the chain (0023); `details.annexSha256` chains its digest. Null once erased. */
  annex: Buffer | null;
}

export interface AuditHeadTable {
  id: number;
  seq: string;
  hash: string;
}

export interface CasesTable {
  reference: string;
  opened_at: Timestamp;
  opened_by: string;
}

export interface RequestsTable {
  id: string;
  /** The hosted authority that is a party to the request. */
  authority: string;
  case_reference: string;
  procedure: string;
  role: 'requesting' | 'requested' | 'member';
  counterparts: string[];
  status: string;
  state: Sealed;
  deadline_profiles: string[];
  suggested_deadline: Sealed | null;
  opened_at: Timestamp;
  updated_at: Timestamp;
  /** Set when the retention task erased the request's content (0022). */
  content_erased_at: ColumnType<
    Date | null,
    Date | string | null | undefined,
    Date | string | null
  >;
}

/** Legal holds (0022): a case or request under one is never erased. Set and released by a supervisor. */
export interface LegalHoldsTable {
  id: string;
  authority: string;
  case_reference: string | null;
  request_id: string | null;
  reason: Sealed;
  set_by: string;
  set_at: Timestamp;
  released_by: string | null;
  released_at: Timestamp | null;
  release_reason: Sealed | null;
}

export interface DeadlinesTable {
  id: string;
  request_id: string;
  profile_id: string;
  status: string;
  due_at: Timestamp;
  clock: Sealed;
  executing_state: string;
  time_zone: string;
  reminders_sent: Generated<number>;
  updated_at: Timestamp;
  /** Running since before migration 0014: its timer rows are still to be derived. */
  timers_pending: Generated<boolean>;
}

/** One reminder or expiry of a running clock (migration 0014). */
export interface DeadlineTimersTable {
  deadline_id: string;
  kind: 'reminder' | 'expiry';
  /** The reminder's order, earliest first; 0 for the expiry. */
  rank: number;
  request_id: string;
  authority: string;
  due_at: Timestamp;
  fired_at: Timestamp | null;
  /** From the sequence deadline_timer_versions (bigint, read as a string). */
  version: Generated<string>;
}

/** The digest of each deadline profile the worker last derived timers with (migration 0014). */
export interface DeadlineProfileDigestsTable {
  profile_id: string;
  digest: string;
  recorded_at: Timestamp;
}

export interface ProtectedPersonsTable {
  id: string;
  /** Keyed hashes of the identifiers; empty once the entry is removed (a tombstone). */
  hashes: string[];
  shield_from: string[];
  registered_at: Timestamp;
  registered_by: string;
  /** The asylum authority that made the entry: only it changes or removes it. */
  owner: string;
  /** The identifier-key version the hashes were made with (KEY_VERSION). */
  key_version: string;
  /** The asylum authority records a pending claim explicitly (H-4); shielding alone is H-1. */
  claim_pending: boolean;
  /** The register version of the entry's last change. */
  version: ColumnType<string, string | bigint, string | bigint>;
  removed_at: Timestamp | null;
  removed_by: string | null;
}

/** One row: the register's current version, taken by every change in commit order. */
export interface RegisterStateTable {
  id: number;
  version: ColumnType<string, string | bigint, string | bigint>;
}

/** A register hit under review by the entry's owner: confirmed (the block stands) or cleared for a case. */
export interface RegisterReviewsTable {
  id: string;
  entry_id: string;
  owner: string;
  /** The authority whose outgoing message hit the entry. */
  requester: string;
  case_reference: string | null;
  recipient_states: string[];
  status: 'pending' | 'confirmed' | 'cleared';
  opened_at: Timestamp;
  decided_at: Timestamp | null;
  decided_by: string | null;
  /** The reviewer's reason, sealed. */
  reason: Sealed | null;
}

/** A submission waiting for a register that could not be consulted (never sent unchecked). */
export interface HeldSubmissionsTable {
  id: string;
  authority: string;
  procedure: string;
  case_reference: string | null;
  actor: string;
  correlation_id: string;
  context: Json;
  /** The draft as submitted, sealed. */
  draft: Sealed;
  status: 'awaiting-safeguard-check' | 'released' | 'blocked' | 'failed';
  /** The registers (asylum authorities) not reached at the last check. */
  awaiting: string[];
  /** Released: the submission; blocked or failed: the error. */
  outcome: Json | null;
  checks: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  next_check_at: Timestamp;
  give_up_at: Timestamp;
}

export type SupervisedStatus = 'awaiting-supervisor' | 'acknowledged' | 'declined' | 'blocked';

/** A submission refused only for warnings, waiting for a supervisor (migration 0024). */
export interface SupervisedSubmissionsTable {
  id: string;
  authority: string;
  procedure: string;
  message_type: string;
  channel: string;
  case_reference: string | null;
  /** The request a follow-up belongs to; null for a message opening one. */
  request_id: string | null;
  recipients: string[];
  /** The submitter, as the audit trail names them (`username@authority`). */
  submitted_by: string;
  correlation_id: string;
  context: Json;
  /** The draft as submitted, sealed; null once erased (0026). */
  draft: Sealed | null;
  draft_sha256: string;
  /** Per warning: rule id and legal bases (no free text). */
  warnings: Json;
  /** Per warning: the explanation, sealed (it may quote a person's reference); null once erased. */
  explanations: Sealed | null;
  status: SupervisedStatus;
  decided_by: string | null;
  decided_at: Timestamp | null;
  /** A decline's reason, sealed. */
  reason: Sealed | null;
  /** Acknowledged: the submission sent; blocked: the error. */
  outcome: Json | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When the draft, warning texts and reason were erased, a while after the decision (0026). */
  content_erased_at: Timestamp | null;
}

/** The current facts of one procedure in a case: what its history adds up to. */
export interface CaseFactsTable {
  authority: string;
  case_reference: string;
  /** The procedure whose caseworkers recorded them: only they (and supervisors) see them. */
  procedure: string;
  /** The version of the last history entry applied. */
  version: number;
  facts: Sealed;
  updated_at: Timestamp;
  updated_by: string;
}

/** Every change of a procedure's facts: never updated, never deleted. */
export interface CaseFactsHistoryTable {
  authority: string;
  case_reference: string;
  procedure: string;
  version: number;
  recorded_at: Timestamp;
  actor: string;
  roles: string[];
  /** `recorded` (stood before the history was kept), `tightened`, `neutral` or `relaxed`. */
  direction: string;
  /** The paths, values before and after, and the justification of a relaxation. */
  change: Sealed;
}

export interface UsersTable {
  username: string;
  kind: 'person' | 'service';
  authority: string;
  roles: string[];
  jits: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  created_by: string;
  disabled_at: Timestamp | null;
  /** The identity provider's issuer and subject of an account signed in through OpenID Connect. */
  external_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  external_subject: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where the user's e-mail notifications go (0018); none without an address. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** Kinds the user turned on (true) or off (false); the others follow their roles (0018). */
  notification_preferences: ColumnType<Record<string, boolean>, string | undefined, string>;
}

/** A role grant awaiting, or given, a second administrator's decision (separation of duties). */
export interface RoleGrantsTable {
  id: string;
  username: string;
  authority: string;
  roles: string[];
  status: 'pending' | 'approved' | 'refused';
  requested_by: string;
  requested_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
}

export interface ApiKeysTable {
  /** Names the key in listings and revocations (migration 0025); the hash is never shown. */
  id: Generated<string>;
  hash: string;
  username: string;
  label: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  /** Written at most once a minute per key. */
  last_used_at: Timestamp | null;
}

/** The first answer to a submission retried under the same `Idempotency-Key`. */
export interface IdempotencyKeysTable {
  username: string;
  key: string;
  /** SHA-256 of the route and canonical body: another body under the same key is refused. */
  request_sha256: string;
  response: Json;
  created_at: Timestamp;
}

/** Officer console sessions (0016): digests only, never the tokens themselves. */
export interface ConsoleSessionsTable {
  token_sha256: string;
  csrf_sha256: string;
  username: string;
  authority: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
}

/** Peers' signed statements of their audit chain heads, as this node received them (0017). */
export interface AuditWitnessesTable {
  id: Generated<string>;
  authority: string;
  /** bigint, read as a string. */
  seq: string;
  head_hash: string;
  signed_at: Timestamp;
  signer_fingerprint: string;
  statement: string;
  received_at: Timestamp;
}

/** `held`: referenced by a draft kept for a supervisor (0026), neither expired nor attachable. */
export type UploadState = 'uploading' | 'complete' | 'held' | 'attached' | 'expired';

/** Evidence files received through resumable uploads (libs/files); the content is on disk. */
export interface UploadsTable {
  id: string;
  authority: string;
  uploader: string;
  /** The file's name: sealed (it may name a person). */
  name: Sealed;
  media_type: string;
  category: string;
  /** Declared (Upload-Length) and received bytes; bigint, read as strings. */
  size: ColumnType<string, string | number, string | number>;
  received: ColumnType<string, string | number | undefined, string | number>;
  sha256: string | null;
  state: UploadState;
  message_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
  attached_at: Timestamp | null;
  expired_at: Timestamp | null;
  /** The supervised submission a `held` upload waits with (0026). */
  held_for: string | null;
  /** When a decided supervised submission gave it back: its expiry counts from then. */
  released_at: Timestamp | null;
}

/** Files that travel with a message, per attachment (0015); the manifest is sealed. */
export interface MessageAttachmentsTable {
  message_id: string;
  position: number;
  direction: MessageDirection;
  upload_id: string | null;
  file_id: string;
  manifest: Sealed;
  category: string;
  size: ColumnType<string, string | number, string | number>;
  sha256: string;
  chunk_count: number;
  chunks_done: ColumnType<number, number | undefined, number>;
  received_sha256: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
  /** Set when the retention task deleted the file's chunks and plaintext-at-rest (0022). */
  files_erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Mailbox events, written with the change they report; `seq` orders the stream (0011). */
export interface MailboxEventsTable {
  id: Generated<string>;
  seq: string | null;
  authority_id: string;
  pattern: string;
  event: Json;
  recorded_at: Timestamp;
}

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/**
 * The notification outbox (0018): one row per user and cause, written with the event. A kind, a
 * reference and a console link only: never case content.
 */
export interface NotificationsTable {
  id: string;
  username: string;
  kind: string;
  reference: string;
  link: string;
  dedupe_key: string;
  status: NotificationStatus;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  next_attempt_at: Timestamp;
  claimed_at: Timestamp | null;
  sent_at: Timestamp | null;
  last_error: string | null;
}

export interface Database {
  messages: MessagesTable;
  envelopes: EnvelopesTable;
  receipts: ReceiptsTable;
  evidences: EvidencesTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_witnesses: AuditWitnessesTable;
  cases: CasesTable;
  requests: RequestsTable;
  deadlines: DeadlinesTable;
  deadline_timers: DeadlineTimersTable;
  deadline_profile_digests: DeadlineProfileDigestsTable;
  protected_persons: ProtectedPersonsTable;
  register_state: RegisterStateTable;
  register_reviews: RegisterReviewsTable;
  held_submissions: HeldSubmissionsTable;
  supervised_submissions: SupervisedSubmissionsTable;
  idempotency_keys: IdempotencyKeysTable;
  case_facts: CaseFactsTable;
  case_facts_history: CaseFactsHistoryTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  uploads: UploadsTable;
  message_attachments: MessageAttachmentsTable;
  mailbox_events: MailboxEventsTable;
  role_grants: RoleGrantsTable;
  console_sessions: ConsoleSessionsTable;
  notifications: NotificationsTable;
  legal_holds: LegalHoldsTable;
}

export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Insertable<MessagesTable>;
export type ReceiptRow = Selectable<ReceiptsTable>;
export type EvidenceRow = Selectable<EvidencesTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type RequestRow = Selectable<RequestsTable>;
export type DeadlineRow = Selectable<DeadlinesTable>;
export type DeadlineTimerRow = Selectable<DeadlineTimersTable>;
export type UploadRow = Selectable<UploadsTable>;
export type MessageAttachmentRow = Selectable<MessageAttachmentsTable>;
export type NotificationRow = Selectable<NotificationsTable>;
export type LegalHoldRow = Selectable<LegalHoldsTable>;
