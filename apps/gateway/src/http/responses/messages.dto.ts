import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FREE_FORM } from '../api-docs.js';
import type { AuditEntry } from '#libs/audit';
import type { CaseQueries, DeadlineView, RequestDetail, RequestView } from '#libs/cases';
import type { EvidenceBundle } from '#libs/evidence';
import type {
  HeldSubmissionView,
  MessageDetail,
  MessageView,
  SubmissionAccepted,
  SubmissionHeld,
} from '#libs/messaging';
import type { RecipientPreview } from '../policy-preview.js';

// The DTOs implement the answers' own types: a field renamed or added there fails the type check here.
type SentMessage = SubmissionAccepted['messages'][number];
type WithheldRecipient = SubmissionAccepted['withheld'][number];
type CaseFile = Awaited<ReturnType<CaseQueries['caseFile']>>;

export class SentMessageDto implements SentMessage {
  @ApiProperty() messageId!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() envelopeSha256!: string;
  @ApiProperty({ description: 'the decision: allow, allow-with-redactions…' }) policy!: string;
  @ApiProperty({ type: [String], description: 'paths redacted for this recipient' })
  redacted!: string[];
}

export class WithheldRecipientDto implements WithheldRecipient {
  @ApiProperty() recipient!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ type: [String], description: 'rule ids (for H-1, nothing more)' })
  rules!: string[];
  @ApiProperty() message!: string;
}

/** 202: sealed and queued for delivery (one message per recipient). */
export class SubmissionAcceptedDto implements SubmissionAccepted {
  @ApiProperty() requestId!: string;
  @ApiProperty() requestStatus!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [SentMessageDto] }) messages!: SentMessageDto[];
  @ApiProperty({ type: [WithheldRecipientDto] }) withheld!: WithheldRecipientDto[];
}

export class HeldSubmissionDto implements HeldSubmissionView {
  @ApiProperty() holdId!: string;
  @ApiProperty({ enum: ['awaiting-safeguard-check', 'released', 'blocked', 'failed'] })
  status!: HeldSubmissionView['status'];
  @ApiProperty() procedure!: string;
  @ApiProperty({ type: String, nullable: true }) caseReference!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [String], description: 'the registers not reached at the last check' })
  awaiting!: string[];
  @ApiProperty() checks!: number;
  @ApiProperty({
    ...FREE_FORM,
    nullable: true,
    description: 'released: the submission; blocked or failed: the error answered to the sender',
  })
  outcome!: Record<string, unknown> | null;
}

/** 202: held (awaiting-safeguard-check) while a register of the State cannot be consulted. */
export class SubmissionHeldDto extends HeldSubmissionDto implements SubmissionHeld {
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: [Object], maxItems: 0 }) messages!: [];
  @ApiProperty({ type: [WithheldRecipientDto] }) withheld!: WithheldRecipientDto[];
}

export class MessageViewDto implements MessageView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['outbound', 'inbound'] }) direction!: string;
  @ApiProperty() status!: string;
  @ApiProperty() procedure!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty({ type: String, nullable: true }) caseReference!: string | null;
  @ApiProperty({ type: String, nullable: true }) inReplyTo!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() statusChangedAt!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true }) retryUntil!: string | null;
}

export class ReceiptSummaryDto {
  @ApiProperty() receivedAt!: string;
  @ApiProperty() signerFingerprint!: string;
  @ApiProperty() envelopeSha256!: string;
}

export class EvidenceRecordDto {
  @ApiProperty() kind!: MessageDetail['evidences'][number]['kind'];
  @ApiProperty() occurredAt!: string;
  @ApiProperty(FREE_FORM) details!: Record<string, unknown>;
}

/** Set once the message's content was erased under its retention profile (README, Retention). */
export class ContentErasureDto {
  @ApiProperty() profile!: string;
  @ApiProperty() erasedAt!: string;
  @ApiProperty() note!: string;
}

export class MessageDetailDto extends MessageViewDto implements MessageDetail {
  @ApiProperty({ ...FREE_FORM, description: 'the envelope payload (README, "The envelope")' })
  payload!: MessageDetail['payload'];
  @ApiProperty({ type: String, nullable: true }) envelopeSha256!: string | null;
  @ApiProperty({ type: ReceiptSummaryDto, nullable: true }) receipt!: ReceiptSummaryDto | null;
  @ApiProperty({ type: [EvidenceRecordDto] }) evidences!: EvidenceRecordDto[];
  @ApiProperty({ type: ContentErasureDto, nullable: true })
  contentErasure!: ContentErasureDto | null;
}

export class RedactionDto {
  @ApiProperty() path!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty() action!: string;
}

/** The decision for one recipient, as sending would make it (for H-1, the rule and nothing more). */
export class RecipientPreviewDto implements RecipientPreview {
  @ApiProperty() recipient!: string;
  @ApiProperty() outcome!: string;
  @ApiProperty({ type: 'array', items: FREE_FORM, description: 'rules at fault, with legal bases' })
  rules!: unknown[];
  @ApiProperty({ type: [RedactionDto] }) redactions!: RedactionDto[];
  @ApiProperty({ type: [String] }) noOnwardTransferTo!: string[];
  @ApiProperty() explanation!: string;
  @ApiProperty({
    type: [String],
    description: 'registers not consulted: the message would be held',
  })
  awaitingChecks!: string[];
}

export class ArmoredEnvelopeDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'null once erased (README, Retention)',
  })
  armored!: string | null;
  @ApiProperty() sha256!: string;
}

export class EvidenceReceiptDto {
  @ApiProperty() armored!: string;
  @ApiProperty() envelopeSha256!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() signerFingerprint!: string;
}

export class KeyPeriodDto {
  @ApiProperty() fingerprint!: string;
  @ApiProperty() validFrom!: string;
  @ApiProperty({ type: String, nullable: true }) validUntil!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revocationReason!: string | null;
}

export class AuthorityKeysDto {
  @ApiProperty() authorityId!: string;
  @ApiProperty() armored!: string;
  @ApiProperty({ type: [KeyPeriodDto] }) periods!: KeyPeriodDto[];
}

export class EvidenceChunkDto {
  @ApiProperty() index!: number;
  @ApiProperty({ example: 'chunk-000000.pgp' }) file!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty() sha256!: string;
  @ApiProperty({ description: 'false when this node does not hold the chunk' }) held!: boolean;
}

export class EvidenceAttachmentDto {
  @ApiProperty() position!: number;
  @ApiProperty({ ...FREE_FORM, description: 'the manifest as the signed envelope lists it' })
  manifest!: EvidenceBundle['attachments'][number]['manifest'];
  @ApiProperty({ type: [EvidenceChunkDto] }) chunks!: EvidenceChunkDto[];
}

export class AuditEntryDto implements AuditEntry {
  @ApiProperty() seq!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty() event!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ type: String, nullable: true }) messageId!: string | null;
  @ApiProperty({ type: String, nullable: true }) correlationId!: string | null;
  @ApiProperty({ ...FREE_FORM, description: 'codes and rule ids, never payloads' })
  details!: Record<string, unknown>;
  @ApiProperty() prevHash!: string;
  @ApiProperty() hash!: string;
  @ApiPropertyOptional({
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'string', enum: ['erased'] },
    ],
    description:
      'free text kept sealed beside the entry, outside the chain (details.annexSha256 is its digest); "erased" under retention',
  })
  annex?: Record<string, unknown> | 'erased';
}

export class EvidenceMessageDto {
  @ApiProperty() id!: string;
  @ApiProperty() direction!: string;
  @ApiProperty() status!: string;
  @ApiProperty() procedure!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() createdAt!: string;
}

/** Everything needed to prove, offline with GnuPG alone, what was sent, by whom, and that it arrived. */
export class EvidenceBundleDto implements EvidenceBundle {
  @ApiProperty({ enum: ['tip-gateway-evidence/1'] }) format!: EvidenceBundle['format'];
  @ApiProperty() exportedAt!: string;
  @ApiProperty() exportedBy!: string;
  @ApiProperty({ type: EvidenceMessageDto }) message!: EvidenceMessageDto;
  @ApiProperty({ type: ArmoredEnvelopeDto }) envelope!: ArmoredEnvelopeDto;
  @ApiProperty({ type: ContentErasureDto, nullable: true })
  contentErasure!: ContentErasureDto | null;
  @ApiProperty({ type: [EvidenceReceiptDto] }) receipts!: EvidenceReceiptDto[];
  @ApiProperty({ type: [EvidenceRecordDto] }) evidences!: EvidenceRecordDto[];
  @ApiProperty({ type: [AuthorityKeysDto] }) keys!: AuthorityKeysDto[];
  @ApiProperty({ type: [AuditEntryDto] }) audit!: AuditEntryDto[];
  @ApiProperty({ type: [EvidenceAttachmentDto] }) attachments!: EvidenceAttachmentDto[];
}

export class DeadlineExtensionDto {
  @ApiProperty() at!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() by!: string;
}

export class CalendarDto {
  @ApiProperty() state!: string;
  @ApiProperty({ description: 'public holidays from date-holidays, or weekends only' })
  holidays!: DeadlineView['calendar']['holidays'];
  @ApiProperty() note!: string;
}

export class DeadlineDto implements DeadlineView {
  @ApiProperty() profileId!: string;
  @ApiProperty() instrument!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ description: 'the figure is not verified against the official text' })
  check!: boolean;
  @ApiProperty({ description: 'a service level the executing State sets, not a legal time limit' })
  serviceLevel!: boolean;
  @ApiProperty() status!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty() dueAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'UNTOC 18(24)' })
  suggestedDueAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) pausedAt!: string | null;
  @ApiProperty({ type: [DeadlineExtensionDto] }) extensions!: DeadlineExtensionDto[];
  @ApiProperty() executingState!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: CalendarDto, description: 'whose working days the clock counts' })
  calendar!: CalendarDto;
  @ApiProperty({ type: Number, nullable: true }) remainingMs!: number | null;
}

export class SuggestedDeadlineDto {
  @ApiProperty() date!: string;
  @ApiProperty() reasons!: string;
}

export class RequestViewDto implements RequestView {
  @ApiProperty() id!: string;
  @ApiProperty() caseReference!: string;
  @ApiProperty() procedure!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: [String] }) counterparts!: string[];
  @ApiProperty() status!: string;
  @ApiProperty(FREE_FORM) state!: Record<string, unknown>;
  @ApiProperty({ type: SuggestedDeadlineDto, nullable: true })
  suggestedDeadline!: SuggestedDeadlineDto | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [DeadlineDto] }) deadlines!: DeadlineDto[];
}

export class ThreadMessageDto {
  @ApiProperty() messageId!: string;
  @ApiProperty() direction!: string;
  @ApiProperty() status!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) inReplyTo!: string | null;
}

export class RequestDetailDto extends RequestViewDto implements RequestDetail {
  @ApiProperty({
    type: [String],
    description: 'The message types this node may send next in the current state',
  })
  nextMessageTypes!: string[];
  @ApiProperty({ type: [ThreadMessageDto] }) thread!: ThreadMessageDto[];
}

export class CaseFileDto implements CaseFile {
  @ApiProperty() reference!: string;
  @ApiProperty({ type: [RequestDetailDto] }) requests!: RequestDetailDto[];
}
