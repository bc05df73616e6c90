import 'reflect-metadata';
import { IsBoolean, IsOptional, ValidateIf } from 'class-validator';
import { Categories, whenTrue } from '../categories.js';
import {
  AttachmentReferenceSchema,
  AuthorityReferenceSchema,
  LegalBasisSchema,
  MLA_REFUSAL_GROUNDS,
  PersonSchema,
  RefusalGrounds,
  UrgencySchema,
  type MlaRefusalGround,
} from '../common.schemas.js';
import { IsoDate, Nested, OneOf, rule, Text, TextList, Timestamp } from '../schema-kit.js';

/*
 * Mutual legal assistance, UNTOC art. 18. Free-text case fields (facts, results, questions) are
 * tagged `intelligence`: what they are meant to carry. W-6 scans free text for what they must not.
 */

/** The types of assistance of UNTOC 18(3), (a)–(i); a video-link hearing is taking evidence. */
export const ASSISTANCE_TYPES = [
  'taking-evidence',
  'service-of-documents',
  'search-seizure-freezing',
  'examining-objects-sites',
  'information-evidence-expert-evaluations',
  'documents-records',
  'identify-trace-proceeds',
  'voluntary-appearance',
  'video-link-hearing',
  'other',
] as const;
export type AssistanceType = (typeof ASSISTANCE_TYPES)[number];

export const PROCEEDING_NATURES = ['investigation', 'prosecution', 'judicial-proceeding'] as const;

export class ConductingAuthoritySchema {
  @Categories()
  @Text(
    300,
    rule('UNTOC 18(15)(b)', 'the name of the authority conducting the proceeding is required'),
  )
  name!: string;

  @Categories()
  @Text(
    1000,
    rule(
      'UNTOC 18(15)(b)',
      'the functions of the authority conducting the proceeding are required',
    ),
  )
  functions!: string;
}

export class ProceedingSchema {
  @Categories('intelligence')
  @Text(2000, rule('UNTOC 18(15)(b)', 'the subject matter of the proceeding is required'))
  subjectMatter!: string;

  @Categories()
  @OneOf(
    PROCEEDING_NATURES,
    rule(
      'UNTOC 18(15)(b)',
      `the nature of the proceeding is one of ${PROCEEDING_NATURES.join(', ')}`,
    ),
  )
  nature!: (typeof PROCEEDING_NATURES)[number];

  @Categories()
  @Nested(
    () => ConductingAuthoritySchema,
    rule('UNTOC 18(15)(b)', 'the authority conducting the proceeding is required'),
  )
  conductingAuthority!: ConductingAuthoritySchema;

  @Categories() @IsOptional() @Text(100) caseNumber?: string;
}

/**
 * Forms of exploitation as the UNODC Global Report counts them (TIP art. 3(a) lists "at a minimum"
 * sexual exploitation, forced labour or services, slavery or practices similar to it, servitude and
 * the removal of organs): read by the monitors' indicators, never required.
 */
export const EXPLOITATION_FORMS = [
  'sexual-exploitation',
  'forced-labour',
  'domestic-servitude',
  'forced-criminality',
  'forced-begging',
  'forced-marriage',
  'organ-removal',
  'other',
] as const;
export type ExploitationForm = (typeof EXPLOITATION_FORMS)[number];

/** The offence as action, means and purpose (TIP art. 3(a)); no means when a child is the victim. */
export class OffenceDescriptionSchema {
  @Categories('intelligence')
  @Text(
    5000,
    rule(
      'TIP art. 3(a)',
      'the action (recruitment, transportation, transfer, harbouring or receipt of persons) is described',
    ),
  )
  action!: string;

  @Categories('intelligence')
  @ValidateIf(
    (offence: OffenceDescriptionSchema) =>
      offence.childVictim !== true || offence.means !== undefined,
  )
  @Text(5000, rule('TIP art. 3(c)', 'the means are described unless the victim is under 18'))
  means?: string;

  @Categories('intelligence')
  @Text(5000, rule('TIP art. 3(a)', 'the purpose of exploitation is described'))
  purpose!: string;

  /** The purpose's forms, coded: the free text stays what the requested State reads. */
  @Categories('intelligence')
  @IsOptional()
  @OneOf(EXPLOITATION_FORMS, {
    list: true,
    message: `forms of exploitation are one or more of ${EXPLOITATION_FORMS.join(', ')}`,
  })
  exploitationForms?: ExploitationForm[];

  @Categories(whenTrue('child-status'))
  @IsBoolean(rule('TIP art. 3(c)', 'childVictim says whether the victim was under 18'))
  childVictim!: boolean;
}

export class SuggestedDeadlineSchema {
  @Categories() @IsoDate() date!: string;

  @Categories()
  @Text(2000, rule('UNTOC 18(24)', 'a suggested deadline comes with its reasons'))
  reasons!: string;
}

function seeks(request: MlaRequestBody, type: AssistanceType): boolean {
  const sought: unknown = request.assistanceSought;
  return Array.isArray(sought) && sought.includes(type);
}

function onlyServiceOfDocuments(request: MlaRequestBody): boolean {
  const sought: unknown = request.assistanceSought;
  return (
    Array.isArray(sought) && sought.length > 0 && sought.every((t) => t === 'service-of-documents')
  );
}

/** The request and its UNTOC 18(15) content. */
export class MlaRequestBody {
  @Categories()
  @Nested(
    () => AuthorityReferenceSchema,
    rule('UNTOC 18(15)(a)', 'the requesting authority is required'),
  )
  requestingAuthority!: AuthorityReferenceSchema;

  @Categories()
  @Nested(
    () => ProceedingSchema,
    rule(
      'UNTOC 18(15)(b)',
      'the subject matter and nature of the proceeding and the authority conducting it are required',
    ),
  )
  proceeding!: ProceedingSchema;

  @Categories('intelligence')
  @ValidateIf(
    (request: MlaRequestBody) =>
      !onlyServiceOfDocuments(request) || request.summaryOfFacts !== undefined,
  )
  @Text(20000, rule('UNTOC 18(15)(c)', 'a summary of the relevant facts is required'))
  summaryOfFacts?: string;

  @Categories()
  @OneOf(ASSISTANCE_TYPES, {
    list: true,
    ...rule(
      'UNTOC 18(15)(d)',
      `the assistance sought is one or more of UNTOC 18(3): ${ASSISTANCE_TYPES.join(', ')}`,
    ),
  })
  assistanceSought!: AssistanceType[];

  @Categories()
  @ValidateIf(
    (request: MlaRequestBody) => seeks(request, 'other') || request.otherAssistance !== undefined,
  )
  @Text(2000, rule('UNTOC 18(3)(i)', 'other assistance is described (otherAssistance)'))
  otherAssistance?: string;

  @Categories() @IsOptional() @Text(5000) particularProcedure?: string;

  /** Persons concerned: where possible identity, location and nationality (18(15)(e)). */
  @Categories()
  @IsOptional()
  @Nested(() => PersonSchema, {
    each: true,
    ...rule('UNTOC 18(15)(e)', 'persons concerned are listed as structured persons'),
  })
  persons?: PersonSchema[];

  @Categories()
  @Text(
    2000,
    rule(
      'UNTOC 18(15)(f)',
      'the purpose for which the evidence, information or action is sought is required',
    ),
  )
  purpose!: string;

  /** Absent: the policy engine raises W-2. */
  @Categories() @IsOptional() @Nested(() => LegalBasisSchema) legalBasis?: LegalBasisSchema;

  @Categories()
  @Nested(
    () => OffenceDescriptionSchema,
    rule('TIP art. 3(a)', 'the offence is described as action, means and purpose'),
  )
  offence!: OffenceDescriptionSchema;

  @Categories() @IsOptional() @Nested(() => UrgencySchema) urgency?: UrgencySchema;

  @Categories()
  @IsOptional()
  @Nested(() => SuggestedDeadlineSchema)
  suggestedDeadline?: SuggestedDeadlineSchema;

  /** UNTOC 18(20): keep the fact and substance of the request confidential. */
  @Categories() @IsOptional() @IsBoolean() confidentialityRequested?: boolean;
}

export class MlaAcknowledgementBody {
  @Categories() @Timestamp() receivedAt!: string;
  @Categories() @IsOptional() @Text(100) reference?: string;
  @Categories() @IsOptional() @Text(300) executingAuthority?: string;
}

export class AdditionalInformationRequestBody {
  @Categories('intelligence')
  @TextList(50, 5000, {
    nonEmpty: true,
    ...rule(
      'UNTOC 18(16)',
      'a request for additional information lists what is needed (questions)',
    ),
  })
  questions!: string[];

  @Categories() @IsOptional() @Text(2000) reasons?: string;
}

export class AdditionalInformationBody {
  @Categories('intelligence')
  @Text(20000, rule('UNTOC 18(16)', 'the additional information is required'))
  information!: string;

  @Categories() @IsOptional() @Nested(() => PersonSchema, { each: true }) persons?: PersonSchema[];
}

export class ProgressInquiryBody {
  @Categories() @IsOptional() @Text(2000) question?: string;
}

export class ProgressAnswerBody {
  @Categories('intelligence')
  @Text(5000, rule('UNTOC 18(24)', 'a progress answer says how execution stands'))
  summary!: string;

  /** True once execution is under way (or has resumed after a postponement). */
  @Categories() @IsBoolean() executionUnderWay!: boolean;

  @Categories() @IsOptional() @IsoDate() expectedCompletion?: string;
}

export class PartialExecutionBody {
  @Categories('intelligence') @Text(20000) summary!: string;

  @Categories('intelligence')
  @Nested(() => AttachmentReferenceSchema, { each: true })
  evidence!: AttachmentReferenceSchema[];

  @Categories() @Text(5000) outstanding!: string;
}

export class ExecutionResultBody {
  @Categories('intelligence') @Text(20000) summary!: string;

  @Categories('intelligence')
  @Nested(() => AttachmentReferenceSchema, { each: true })
  evidence!: AttachmentReferenceSchema[];
}

export class PostponementBody {
  @Categories('intelligence')
  @Text(
    5000,
    rule(
      'UNTOC 18(25)',
      'a postponement gives its reasons (interference with an ongoing investigation, prosecution or proceeding)',
    ),
  )
  reasons!: string;

  @Categories()
  @Text(200, rule('UNTOC 18(26)', 'a postponement references the consultation held before it'))
  consultationReference!: string;

  @Categories() @IsOptional() @IsoDate() until?: string;
}

export const CONSULTATION_TOPICS = [
  'possible-refusal',
  'possible-postponement',
  'conditions',
  'other',
] as const;

export class ConsultationBody {
  @Categories() @OneOf(CONSULTATION_TOPICS) topic!: (typeof CONSULTATION_TOPICS)[number];
  @Categories('intelligence') @Text(5000) text!: string;
  @Categories() @IsOptional() @Text(5000) proposedConditions?: string;
}

export class MlaRefusalBody {
  @Categories() @RefusalGrounds(MLA_REFUSAL_GROUNDS, 'UNTOC 18(21)') grounds!: MlaRefusalGround[];

  @Categories('intelligence')
  @Text(5000, rule('UNTOC 18(23)', 'reasons are given for any refusal'))
  reasons!: string;

  @Categories()
  @Text(200, rule('UNTOC 18(26)', 'a refusal references the consultation held before it'))
  consultationReference!: string;
}

export class MlaWithdrawalBody {
  @Categories() @IsOptional() @Text(2000) reasons?: string;
}

export class NoLongerRequiredBody {
  @Categories() @IsOptional() @Text(2000) reasons?: string;
}

export class ConfidentialityImpossibleBody {
  @Categories()
  @Text(
    5000,
    rule('UNTOC 18(20)', 'the requested State says why it cannot keep the request confidential'),
  )
  reasons!: string;
}
