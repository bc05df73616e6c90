import 'reflect-metadata';
import { IsBoolean, IsOptional, ValidateIf } from 'class-validator';
import { Categories } from '../categories.js';
import {
  AttachmentReferenceSchema,
  AuthorityReferenceSchema,
  LegalBasisSchema,
  MLA_REFUSAL_GROUNDS,
  MoneySchema,
  PersonSchema,
  RefusalGrounds,
  UrgencySchema,
} from '../common.schemas.js';
import { ProceedingSchema } from '../mla/mla.schemas.js';
import { IsoDate, Nested, OneOf, rule, Text, TextList, Timestamp } from '../schema-kit.js';

/*
 * Identification, tracing, freezing, seizure and confiscation of proceeds (UNTOC arts. 12–14;
 * art. 13(3): the content of 18(15) plus what each kind of request needs).
 */

export const ASSET_REQUEST_KINDS = [
  'identify',
  'trace',
  'freeze',
  'seize',
  'confiscate',
  'enforce-foreign-order',
] as const;
export type AssetRequestKind = (typeof ASSET_REQUEST_KINDS)[number];

export const ASSET_KINDS = [
  'bank-account',
  'real-estate',
  'vehicle',
  'company-share',
  'cash',
  'crypto-asset',
  'other',
] as const;

export class AssetSchema {
  /** A reference to the asset within the case (`A1`). */
  @Categories() @IsOptional() @Text(100) reference?: string;
  @Categories('assets') @OneOf(ASSET_KINDS) kind!: (typeof ASSET_KINDS)[number];
  @Categories('assets') @Text(2000) description!: string;
  /** Account numbers, registry entries, wallet addresses... */
  @Categories('assets') @IsOptional() @TextList(20, 200) identifiers?: string[];
  /** Where the asset is (a bank, a land registry, a place): not where a person is. */
  @Categories('assets') @IsOptional() @Text(500) location?: string;
  @Categories('assets') @IsOptional() @Nested(() => MoneySchema) estimatedValue?: MoneySchema;
  @Categories('assets', 'identity') @IsOptional() @Text(300) holder?: string;
}

/** What every asset request carries (UNTOC 13(3) with 18(15)). */
export class AssetRequestBase {
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
  @Text(20000, rule('UNTOC 13(3)', 'a statement of the facts relied upon is required'))
  summaryOfFacts!: string;

  /** Owners, holders, suspects. */
  @Categories() @IsOptional() @Nested(() => PersonSchema, { each: true }) persons?: PersonSchema[];

  /** Absent: the policy engine raises W-2. */
  @Categories() @IsOptional() @Nested(() => LegalBasisSchema) legalBasis?: LegalBasisSchema;

  @Categories() @IsOptional() @Nested(() => UrgencySchema) urgency?: UrgencySchema;
}

/** identify, trace (UNTOC 13(2), 13(3)(c)): what is known so far of the assets is optional. */
export class AssetSearchRequestBody extends AssetRequestBase {
  @Categories()
  @Text(5000, rule('UNTOC 13(3)(c)', 'a description of the actions requested is required'))
  actionsRequested!: string;

  @Categories() @IsOptional() @Nested(() => AssetSchema, { each: true }) assets?: AssetSchema[];
}

/** freeze, seize (UNTOC 13(2), 13(3)(c)). */
export class ProvisionalMeasureRequestBody extends AssetRequestBase {
  @Categories()
  @Text(5000, rule('UNTOC 13(3)(c)', 'a description of the actions requested is required'))
  actionsRequested!: string;

  @Categories()
  @Nested(() => AssetSchema, {
    each: true,
    nonEmpty: true,
    ...rule('UNTOC 13(3)(c)', 'the assets to freeze or seize are described'),
  })
  assets!: AssetSchema[];
}

/**
 * freeze (UNTOC 13(2)). Under Reg. (EU) 2018/1805 the body is the freezing certificate, and whether
 * it marks freezing urgent decides the deadlines (art. 9): 48 hours to recognise, then 48 hours to
 * execute; otherwise the speed and priority of a similar domestic case, a service level.
 */
export class FreezeRequestBody extends ProvisionalMeasureRequestBody {
  @Categories()
  @IsOptional()
  @IsBoolean(
    rule(
      'Reg. (EU) 2018/1805 art. 9',
      'urgentFreezing says whether the freezing certificate marks freezing urgent (recognition within 48 hours, execution within 48 hours of it): true or false',
    ),
  )
  urgentFreezing?: boolean;
}

/**
 * confiscate (UNTOC 13(1)): the requested State either seeks a domestic order (13(1)(a)) or, when
 * the requesting State's order is attached, may give effect to it (13(1)(b)).
 */
export class ConfiscationRequestBody extends AssetRequestBase {
  @Categories()
  @Nested(() => AssetSchema, {
    each: true,
    nonEmpty: true,
    ...rule('UNTOC 13(3)(a)', 'a description of the property to be confiscated is required'),
  })
  assets!: AssetSchema[];

  @Categories()
  @IsOptional()
  @Nested(() => AttachmentReferenceSchema)
  confiscationOrder?: AttachmentReferenceSchema;
}

/** enforce-foreign-order (UNTOC 13(1)(b), 13(3)(b)). */
export class EnforceForeignOrderBody extends AssetRequestBase {
  @Categories()
  @Nested(
    () => AttachmentReferenceSchema,
    rule(
      'UNTOC 13(3)(b)',
      'a legally admissible copy of the confiscation order is attached (order)',
    ),
  )
  order!: AttachmentReferenceSchema;

  @Categories()
  @Text(
    5000,
    rule('UNTOC 13(3)(b)', 'the extent to which execution of the order is requested is stated'),
  )
  extentOfExecution!: string;

  @Categories()
  @Nested(() => AssetSchema, {
    each: true,
    nonEmpty: true,
    ...rule('UNTOC 13(3)(b)', 'the property the order covers is described'),
  })
  assets!: AssetSchema[];
}

export class AssetsAcknowledgementBody {
  @Categories() @Timestamp() receivedAt!: string;
  @Categories() @IsOptional() @Text(100) reference?: string;
}

export class FrozenAssetSchema {
  @Categories() @IsOptional() @Text(100) assetReference?: string;
  @Categories('assets') @Text(2000) description!: string;
  @Categories() @Timestamp() frozenAt!: string;
  @Categories('assets') @IsOptional() @Nested(() => MoneySchema) amount?: MoneySchema;
  @Categories('assets') @IsOptional() @Text(300) institution?: string;
}

/** Freezing is confirmed with a timestamped, signed answer (the envelope signs it). */
export class FreezingConfirmationBody {
  @Categories()
  @Timestamp({ message: 'a freezing confirmation is timestamped (frozenAt, with a time zone)' })
  frozenAt!: string;

  @Categories()
  @Nested(() => FrozenAssetSchema, {
    each: true,
    nonEmpty: true,
    message: 'a freezing confirmation details each frozen asset',
  })
  assets!: FrozenAssetSchema[];

  @Categories() @IsOptional() @IsoDate() validUntil?: string;
}

export const ASSET_ANSWER_OUTCOMES = [
  'identified',
  'seized',
  'confiscated',
  'no-assets-found',
] as const;
export type AssetAnswerOutcome = (typeof ASSET_ANSWER_OUTCOMES)[number];
export const CONFISCATION_ROUTES = ['domestic-order', 'foreign-order-enforced'] as const;

/** Found assets are described; an answer that found none may carry an empty list. */
function assetsDescribed(body: AssetsAnswerBody): boolean {
  const assets: unknown = body.assets;
  if (body.outcome !== 'no-assets-found') return true;
  return assets !== undefined && !(Array.isArray(assets) && assets.length === 0);
}

export class AssetsAnswerBody {
  @Categories() @OneOf(ASSET_REQUEST_KINDS) answersRequest!: AssetRequestKind;
  @Categories() @OneOf(ASSET_ANSWER_OUTCOMES) outcome!: AssetAnswerOutcome;

  @Categories()
  @ValidateIf(assetsDescribed)
  @Nested(() => AssetSchema, {
    each: true,
    nonEmpty: true,
    message: 'an answer that found assets describes them',
  })
  assets?: AssetSchema[];

  @Categories()
  @ValidateIf(
    (body: AssetsAnswerBody) =>
      body.outcome === 'confiscated' || body.confiscationRoute !== undefined,
  )
  @OneOf(
    CONFISCATION_ROUTES,
    rule(
      'UNTOC 13(1)',
      'a confiscation says whether a domestic order was obtained (13(1)(a)) or the foreign order enforced (13(1)(b))',
    ),
  )
  confiscationRoute?: (typeof CONFISCATION_ROUTES)[number];

  @Categories('intelligence') @IsOptional() @Text(5000) notes?: string;
}

export const DISPOSAL_RECIPIENTS = [
  'victim-compensation',
  'victims-fund',
  'requesting-state',
  'requested-state',
  'other',
] as const;

export class DisposalAllocationSchema {
  @Categories() @OneOf(DISPOSAL_RECIPIENTS) recipient!: (typeof DISPOSAL_RECIPIENTS)[number];
  @Categories('assets') @Nested(() => MoneySchema) amount!: MoneySchema;
  @Categories() @IsOptional() @Text(2000) description?: string;
}

/**
 * Confiscated proceeds go first to compensate victims (P16; UNTOC 14(2)); a disposal that does not
 * consider it records a justification (W-11, acknowledged by a supervisor).
 */
export class DisposalBody {
  @Categories() @IsBoolean() victimCompensationConsidered!: boolean;

  @Categories()
  @ValidateIf(
    (body: DisposalBody) =>
      body.victimCompensationConsidered !== true || body.justification !== undefined,
  )
  @Text(
    5000,
    rule(
      'W-11',
      'a disposal that does not consider victim compensation records a justification (P16, UNTOC 14(2))',
    ),
  )
  justification?: string;

  @Categories()
  @Nested(() => DisposalAllocationSchema, {
    each: true,
    nonEmpty: true,
    message: 'a disposal allocates the proceeds',
  })
  allocations!: DisposalAllocationSchema[];

  @Categories() @IsoDate() disposedOn!: string;
}

/** 18(21) via 13(3), and 13(7): insufficient or untimely evidence, property of de minimis value. */
export const ASSET_REFUSAL_GROUNDS = [
  ...MLA_REFUSAL_GROUNDS,
  'insufficient-evidence',
  'de-minimis',
] as const;

export class AssetsRefusalBody {
  @Categories()
  @RefusalGrounds(ASSET_REFUSAL_GROUNDS, 'UNTOC 13(7), 18(21)')
  grounds!: (typeof ASSET_REFUSAL_GROUNDS)[number][];

  @Categories('intelligence')
  @Text(5000, rule('UNTOC 18(23)', 'reasons are given for any refusal'))
  reasons!: string;
}

export class AssetsWithdrawalBody {
  @Categories() @IsOptional() @Text(2000) reasons?: string;
}
