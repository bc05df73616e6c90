import 'reflect-metadata';
import { IsBoolean, IsOptional, ValidateIf } from 'class-validator';
import { Categories, type DataCategory } from '../categories.js';
import {
  AttachmentReferenceSchema,
  CountryList,
  IdentityDocumentSchema,
  PERSON_ROLES,
  PersonNameSchema,
  roleCategories,
  SEXES,
  type PersonRole,
} from '../common.schemas.js';
import {
  Check,
  compose,
  IsoDate,
  Nested,
  OneOf,
  PartialDate,
  rule,
  Text,
  Timestamp,
} from '../schema-kit.js';

/*
 * Nationality verification and travel documents for return, TIP art. 8(3)–(4). The request carries
 * minimal identity data only: no location, no residence or protection status, no free text about
 * the person (H-1: nothing from which an asylum claim could be inferred).
 */

/** The person whose nationality is verified: minimal identity data (TIP art. 8(3)). */
export class VerificationSubjectSchema {
  @Categories('identity')
  @Nested(() => PersonNameSchema, rule('TIP art. 8(3)', 'the names of the person are required'))
  names!: PersonNameSchema;

  @Categories('identity') @IsOptional() @OneOf(SEXES) sex?: (typeof SEXES)[number];

  @Categories('identity')
  @PartialDate(rule('TIP art. 8(3)', 'the date of birth is required (YYYY, YYYY-MM or YYYY-MM-DD)'))
  dateOfBirth!: string;

  @Categories('identity')
  @Text(200, rule('TIP art. 8(3)', 'the place of birth is required (as far as known)'))
  placeOfBirth!: string;

  @Categories('identity') @IsOptional() @CountryList() nationalities?: string[];

  /** Copies of documents, if any. */
  @Categories('identity')
  @IsOptional()
  @Nested(() => IdentityDocumentSchema, { each: true, maxItems: 20 })
  documents?: IdentityDocumentSchema[];

  /** So that a child, or a person who may be one, is known as such (H-5). */
  @Categories(roleCategories)
  @IsOptional()
  @OneOf(PERSON_ROLES, { list: true })
  roles?: PersonRole[];
}

export class VerificationRequestBody {
  @Categories()
  @Nested(
    () => VerificationSubjectSchema,
    rule('TIP art. 8(3)', 'the person to verify is described'),
  )
  person!: VerificationSubjectSchema;

  @Categories('identity')
  @IsOptional()
  @Nested(() => AttachmentReferenceSchema)
  photographReference?: AttachmentReferenceSchema;

  /** The readmission agreement (deadline profile, accelerated procedure, deemed consent). */
  @Categories()
  @ValidateIf(
    (body: VerificationRequestBody) =>
      body.accelerated === true ||
      body.agreementAllowsFingerprints === true ||
      body.agreementId !== undefined,
  )
  @Text(100, {
    message:
      'agreementId names the readmission agreement relied on (accelerated procedure, fingerprints)',
  })
  agreementId?: string;

  @Categories() @IsOptional() @IsBoolean() agreementAllowsFingerprints?: boolean;

  @Categories('identity')
  @IsOptional()
  @FingerprintsOnlyWhenAllowed()
  fingerprintsReference?: AttachmentReferenceSchema;

  /** The accelerated procedure for a person apprehended in the border region. */
  @Categories() @IsOptional() @IsBoolean() accelerated?: boolean;

  @Categories()
  @ValidateIf(
    (body: VerificationRequestBody) =>
      body.accelerated === true || body.apprehendedAt !== undefined,
  )
  @Timestamp({
    message: 'the accelerated procedure starts from the apprehension: apprehendedAt is required',
  })
  apprehendedAt?: string;
}

function FingerprintsOnlyWhenAllowed(): PropertyDecorator {
  return compose(
    Check(
      'fingerprintsAllowed',
      (_value, body: VerificationRequestBody) => body.agreementAllowsFingerprints === true,
      rule(
        'TIP art. 8(3)',
        'fingerprints are sent only when the readmission agreement allows them',
      ),
    ),
    Nested(() => AttachmentReferenceSchema),
  );
}

export const VERIFICATION_OUTCOMES = [
  'national',
  'permanent-resident',
  'neither',
  'undetermined',
] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

function outcomeCategories(value: unknown): DataCategory[] {
  return value === 'permanent-resident' ? ['identity', 'residence-status'] : ['identity'];
}

export class VerificationAnswerBody {
  @Categories(outcomeCategories)
  @OneOf(
    VERIFICATION_OUTCOMES,
    rule('TIP art. 8(3)', `the answer is one of ${VERIFICATION_OUTCOMES.join(', ')}`),
  )
  outcome!: VerificationOutcome;

  @Categories()
  @ValidateIf(
    (body: VerificationAnswerBody) => body.outcome === 'undetermined' || body.missing !== undefined,
  )
  @Text(2000, { message: 'an undetermined answer says what is missing to decide' })
  missing?: string;

  @Categories('identity') @IsOptional() @Text(100) registryReference?: string;
}

export const TRAVEL_DOCUMENT_TYPES = [
  'passport',
  'emergency-travel-document',
  'laissez-passer',
] as const;

export class TravelDocumentRequestBody {
  @Categories()
  @OneOf(
    TRAVEL_DOCUMENT_TYPES,
    rule(
      'TIP art. 8(4)',
      `the travel document asked for is one of ${TRAVEL_DOCUMENT_TYPES.join(', ')}`,
    ),
  )
  documentType!: (typeof TRAVEL_DOCUMENT_TYPES)[number];

  @Categories('identity')
  @IsOptional()
  @Nested(() => AttachmentReferenceSchema)
  photographReference?: AttachmentReferenceSchema;

  @Categories() @IsOptional() @IsoDate() intendedTravelDate?: string;
}

export class TravelDocumentIssuedBody {
  @Categories() @OneOf(TRAVEL_DOCUMENT_TYPES) documentType!: (typeof TRAVEL_DOCUMENT_TYPES)[number];
  @Categories('identity') @Text(50) documentNumber!: string;
  @Categories() @IsoDate() issuedOn!: string;

  @Categories()
  @Check(
    'validAfterIssue',
    (until, body: TravelDocumentIssuedBody) =>
      typeof until === 'string' && until >= String(body.issuedOn),
    { message: 'a travel document is valid until a day on or after its issue' },
  )
  @IsoDate()
  validUntil!: string;

  @Categories('identity')
  @IsOptional()
  @Nested(() => AttachmentReferenceSchema)
  documentCopy?: AttachmentReferenceSchema;
}

/** No reasons field, by design: a reason could reveal an asylum claim to the origin State (H-1). */
export class NationalityVerificationWithdrawalBody {
  @Categories() @Timestamp() withdrawnAt!: string;
}
