import { ApiProperty } from '@nestjs/swagger';
import type {
  SupervisedStatus,
  SupervisedSubmissionDetail,
  SupervisedSubmissionView,
  SupervisedWarning,
} from '#libs/messaging';
import { FREE_FORM } from '../api-docs.js';

const STATUSES: SupervisedStatus[] = ['awaiting-supervisor', 'acknowledged', 'declined', 'blocked'];

export class SupervisedWarningDto implements SupervisedWarning {
  @ApiProperty({ example: 'W-6' }) ruleId!: string;
  @ApiProperty({ type: [String], example: ['derived from H-1'] }) legalBasis!: string[];
  @ApiProperty({ description: 'what the rule found' }) text!: string;
}

export class SupervisedSubmissionDto implements SupervisedSubmissionView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: STATUSES }) status!: SupervisedStatus;
  @ApiProperty() procedure!: string;
  @ApiProperty() messageType!: string;
  @ApiProperty({ example: 'new-request' }) channel!: string;
  @ApiProperty({ type: String, nullable: true }) caseReference!: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: [String] }) recipients!: string[];
  @ApiProperty({ example: 'fr-moj-bepi.central-authority-officer@FR-MOJ-BEPI' })
  submittedBy!: string;
  @ApiProperty() submittedAt!: string;
  @ApiProperty({ type: [SupervisedWarningDto] }) warnings!: SupervisedWarningDto[];
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'a decline’s reason' })
  reason!: string | null;
  @ApiProperty({
    ...FREE_FORM,
    nullable: true,
    description: 'acknowledged: the request and messages sent; blocked: the error',
  })
  outcome!: Record<string, unknown> | null;
}

export class SupervisedSubmissionDetailDto
  extends SupervisedSubmissionDto
  implements SupervisedSubmissionDetail
{
  @ApiProperty({ ...FREE_FORM, description: 'the draft as the submitter sent it' })
  draft!: SupervisedSubmissionDetail['draft'];
}
