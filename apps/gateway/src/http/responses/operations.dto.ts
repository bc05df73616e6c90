import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { FILE_CATEGORIES } from '#libs/files';
import { NOTIFICATION_KINDS } from '#libs/notifications';
import { FREE_FORM } from '../api-docs.js';
import type { ChainBreak, ChainVerification } from '#libs/audit';
import type { AuthorityStatistics } from '#libs/cases';
import type { UploadRecord } from '#libs/files';
import type { NotificationKind, NotificationSettingsView } from '#libs/notifications';

export class DirectoryKeyDto {
  @ApiProperty() fingerprint!: string;
  @ApiProperty() validFrom!: string;
  @ApiProperty({ type: String, nullable: true }) validUntil!: string | null;
  @ApiProperty({ type: String, nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revocationReason!: string | null;
  @ApiProperty({
    description:
      "this node holds the key's private half: one of its own signing and encryption keys",
  })
  heldHere!: boolean;
}

export class DirectoryAuthorityDto {
  @ApiProperty() id!: string;
  @ApiProperty() state!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() endpoint!: string;
  @ApiProperty({ type: [String] }) procedures!: string[];
  @ApiProperty({
    ...FREE_FORM,
    description: 'measures, regions, offences, languages, urgent contact',
  })
  competence!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) currentKey!: string | null;
  @ApiProperty({ type: [DirectoryKeyDto] }) keys!: DirectoryKeyDto[];
}

export class DirectoryDto {
  @ApiProperty() digest!: string;
  @ApiProperty({ type: String, nullable: true }) issuedAt!: string | null;
  @ApiProperty({ type: [DirectoryAuthorityDto] }) authorities!: DirectoryAuthorityDto[];
}

const NULLABLE_STRINGS: ApiPropertyOptions = { type: [String], nullable: true };

/** A competent authority, best first, with the instrument a request would rest on. */
export class CompetentAuthorityDto {
  @ApiProperty() id!: string;
  @ApiProperty() state!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty(NULLABLE_STRINGS) measures!: string[] | null;
  @ApiProperty(NULLABLE_STRINGS) regions!: string[] | null;
  @ApiProperty(NULLABLE_STRINGS) offences!: string[] | null;
  @ApiProperty(NULLABLE_STRINGS) languages!: string[] | null;
  @ApiProperty({ ...FREE_FORM, nullable: true }) urgentContact!: Record<string, unknown> | null;
  @ApiProperty({ ...FREE_FORM, description: 'the instrument that applies' })
  instrument!: Record<string, unknown>;
  @ApiProperty({ type: [String] }) reasons!: string[];
}

export class ChainBreakDto {
  @ApiProperty() seq!: string;
  @ApiProperty({ enum: ['sequence-gap', 'previous-hash-mismatch', 'entry-hash-mismatch'] })
  reason!: ChainBreak['reason'];
}

export class ChainVerificationDto implements ChainVerification {
  @ApiProperty() ok!: boolean;
  @ApiProperty() entries!: number;
  @ApiProperty() headSeq!: string;
  @ApiProperty() headHash!: string;
  @ApiPropertyOptional({ type: ChainBreakDto }) firstBreak?: ChainBreakDto;
}

export class StatisticsCellDto {
  @ApiProperty() procedure!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'rounded; null when suppressed' })
  requests!: number | null;
  @ApiProperty({ type: Number, nullable: true }) overdue!: number | null;
}

export class StatisticsTotalDto {
  @ApiProperty() procedure!: string;
  @ApiProperty({ type: Number, nullable: true }) requests!: number | null;
  @ApiProperty({ type: Number, nullable: true }) overdue!: number | null;
}

export class StatisticsOverallDto {
  @ApiProperty({ type: Number, nullable: true }) requests!: number | null;
  @ApiProperty({ type: Number, nullable: true }) overdue!: number | null;
}

export class AuthorityStatisticsDto implements AuthorityStatistics {
  @ApiProperty() authorityId!: string;
  @ApiProperty() generatedAt!: string;
  @ApiProperty() smallCellThreshold!: number;
  @ApiProperty() roundingBase!: number;
  @ApiProperty({ type: [StatisticsCellDto] }) cells!: StatisticsCellDto[];
  @ApiProperty({ type: [StatisticsTotalDto] }) totals!: StatisticsTotalDto[];
  @ApiProperty({ type: StatisticsOverallDto }) overall!: StatisticsOverallDto;
}

export class NotificationKindSettingDto {
  @ApiProperty({ enum: NOTIFICATION_KINDS }) kind!: NotificationKind;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: "the role's default" }) default!: boolean;
}

export class NotificationSettingsViewDto implements NotificationSettingsView {
  @ApiProperty({ description: 'whether this node sends e-mail at all (GATEWAY_SMTP_URL)' })
  enabled!: boolean;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: [NotificationKindSettingDto] }) kinds!: NotificationKindSettingDto[];
}

export class UploadRecordDto implements UploadRecord {
  @ApiProperty() id!: string;
  @ApiProperty() authority!: string;
  @ApiProperty() uploader!: string;
  @ApiProperty() name!: string;
  @ApiProperty() mediaType!: string;
  @ApiProperty({ enum: FILE_CATEGORIES }) category!: UploadRecord['category'];
  @ApiProperty() size!: number;
  @ApiProperty() received!: number;
  @ApiProperty({ type: String, nullable: true }) sha256!: string | null;
  @ApiProperty({ enum: ['uploading', 'complete', 'held', 'attached', 'expired'] })
  state!: UploadRecord['state'];
  @ApiProperty({ type: String, nullable: true }) messageId!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) completedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) attachedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) expiredAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The submission awaiting a supervisor this upload is held for',
  })
  heldFor!: string | null;
}
