import 'reflect-metadata';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsNumber,
  IsOptional,
  Min,
  ValidateIf,
} from 'class-validator';
import { Categories, type DataCategory } from './categories.js';
import {
  AuthorityId,
  Check,
  compose,
  IsoDate,
  Nested,
  OneOf,
  PartialDate,
  rule,
  Sha256,
  Text,
  TextList,
} from './schema-kit.js';

/*
 * Schemas shared by the four procedures. Every field is tagged with its data categories
 * (`@Categories()` with no argument: a procedural field that carries none).
 */

export const PERSON_ROLES = ['victim', 'witness', 'suspect', 'child', 'age-uncertain'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/**
 * What a person's roles reveal: that a child (or a person who may be one: G8, H-5) is concerned,
 * that someone testifies or cooperates, that someone is suspected.
 */
export function roleCategories(value: unknown): DataCategory[] {
  const roles = Array.isArray(value) ? (value as unknown[]) : [];
  const categories = new Set<DataCategory>();
  if (roles.includes('child') || roles.includes('age-uncertain')) categories.add('child-status');
  if (roles.includes('witness')) categories.add('testimony-cooperation');
  if (roles.includes('suspect')) categories.add('intelligence');
  return [...categories];
}

/** A list of ISO 3166-1 alpha-2 country codes. */
export function CountryList(): PropertyDecorator {
  return compose(
    IsArray(),
    ArrayMaxSize(10),
    IsISO31661Alpha2({ each: true, message: '$property are ISO 3166-1 alpha-2 codes' }),
  );
}

/** A reference to one of the envelope's attachments: its name and SHA-256 digest. */
export class AttachmentReferenceSchema {
  @Categories() @Text(255) name!: string;
  @Categories() @Sha256() sha256!: string;
}

/** An authority, by directory id and name (18(15)(a)). Officials are not persons concerned. */
export class AuthorityReferenceSchema {
  @Categories() @AuthorityId() id!: string;
  @Categories() @Text(300) name!: string;
  @Categories() @IsOptional() @Text(500) contact?: string;
}

/** Family names are required unless the person is known only by aliases. */
function familyNamesRequired(names: PersonNameSchema): boolean {
  if (!names.aliases?.length) return true;
  const family: unknown = names.familyNames;
  return family !== undefined && !(Array.isArray(family) && family.length === 0);
}

export class PersonNameSchema {
  @Categories('identity') @IsOptional() @TextList(10, 200) givenNames?: string[];

  @Categories('identity')
  @ValidateIf(familyNamesRequired)
  @TextList(10, 200, {
    nonEmpty: true,
    message: 'a person is named by at least one family name (or, if unknown, an alias)',
  })
  familyNames?: string[];

  @Categories('identity') @IsOptional() @TextList(20, 200) aliases?: string[];
}

export const DOCUMENT_KINDS = [
  'passport',
  'national-id',
  'residence-permit',
  'travel-document',
  'birth-certificate',
  'driving-licence',
  'other',
] as const;

export class IdentityDocumentSchema {
  @Categories('identity') @OneOf(DOCUMENT_KINDS) kind!: (typeof DOCUMENT_KINDS)[number];
  @Categories('identity') @IsOptional() @Text(50) number?: string;
  @Categories('identity') @IsISO31661Alpha2() issuingState!: string;
  @Categories('identity') @IsOptional() @IsoDate() expiresOn?: string;
  /** A copy of the document, attached to the envelope. */
  @Categories('identity')
  @IsOptional()
  @Nested(() => AttachmentReferenceSchema)
  copy?: AttachmentReferenceSchema;
}

/** Health data is never required and is sent only with the consent of its owner for that purpose. */
export class HealthInformationSchema {
  @Categories('health') @Text(5000) information!: string;

  @Categories()
  @Text(
    200,
    rule(
      'H-10',
      'health data is sent only with a reference to the consent of its owner for that purpose',
    ),
  )
  consentReference!: string;
}

export class CriminalRecordEntrySchema {
  @Categories('status-offences') @Text(500) offence!: string;
  @Categories('status-offences') @IsOptional() @IsoDate() date?: string;
  /** An immigration, document or other status offence (H-7 when the person is a victim). */
  @Categories('status-offences') @IsBoolean() statusOffence!: boolean;
}

export const FAMILY_RELATIONSHIPS = [
  'parent',
  'sibling',
  'spouse',
  'child',
  'guardian',
  'other',
] as const;

export class FamilyMemberSchema {
  @Categories('family') @OneOf(FAMILY_RELATIONSHIPS) relationship!: string;
  @Categories('family') @Nested(() => PersonNameSchema) names!: PersonNameSchema;
}

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export const RESIDENCE_STATUSES = [
  'citizen',
  'permanent-resident',
  'temporary-permit',
  'reflection-period',
  'pending-decision',
  'irregular',
  'unknown',
] as const;
export const PROTECTION_STATUSES = [
  'applicant',
  'refugee',
  'subsidiary-protection',
  'humanitarian',
] as const;

/**
 * A person named in a message: always structured, never only free text, so that the
 * protected-persons register and the safeguards can see who is concerned.
 */
export class PersonSchema {
  /** A reference to the person within the case (`P1`), so that other fields can point to them. */
  @Categories() @IsOptional() @Text(50) reference?: string;

  @Categories('identity')
  @Nested(() => PersonNameSchema, { message: 'a person named in a message has structured names' })
  names!: PersonNameSchema;

  @Categories('identity') @IsOptional() @OneOf(SEXES) sex?: (typeof SEXES)[number];
  @Categories('identity') @IsOptional() @PartialDate() dateOfBirth?: string;
  @Categories('identity') @IsOptional() @Text(200) placeOfBirth?: string;

  @Categories('identity') @IsOptional() @CountryList() nationalities?: string[];

  @Categories('identity')
  @IsOptional()
  @Nested(() => IdentityDocumentSchema, { each: true, maxItems: 20 })
  documents?: IdentityDocumentSchema[];

  @Categories(roleCategories)
  @OneOf(PERSON_ROLES, {
    list: true,
    message: `a person's roles are one or more of ${PERSON_ROLES.join(', ')}`,
  })
  roles!: PersonRole[];

  /** Where the person is or was last seen (18(15)(e)); never a victim's (H-2, policy engine). */
  @Categories('location') @IsOptional() @Text(500) lastKnownLocation?: string;

  @Categories('residence-status')
  @IsOptional()
  @OneOf(RESIDENCE_STATUSES)
  residenceStatus?: (typeof RESIDENCE_STATUSES)[number];

  /**
   * International protection: tagged so that H-1 blocks it towards the country of origin or
   * nationality; a dedicated field keeps it out of free text.
   */
  @Categories('asylum-protection')
  @IsOptional()
  @OneOf(PROTECTION_STATUSES)
  protectionStatus?: (typeof PROTECTION_STATUSES)[number];

  @Categories('health')
  @IsOptional()
  @Nested(() => HealthInformationSchema)
  health?: HealthInformationSchema;

  @Categories('status-offences')
  @IsOptional()
  @Nested(() => CriminalRecordEntrySchema, { each: true })
  criminalRecord?: CriminalRecordEntrySchema[];

  @Categories('family')
  @IsOptional()
  @Nested(() => FamilyMemberSchema, { each: true, maxItems: 30 })
  familyMembers?: FamilyMemberSchema[];
}

export const LEGAL_BASIS_KINDS = ['bilateral-treaty', 'untoc-18-7', 'reciprocity'] as const;

/** A bilateral treaty (named), UNTOC 18(7) where no treaty binds the two States, or reciprocity. */
export class LegalBasisSchema {
  @Categories()
  @OneOf(LEGAL_BASIS_KINDS, {
    message: `the legal basis is one of ${LEGAL_BASIS_KINDS.join(', ')}`,
  })
  kind!: (typeof LEGAL_BASIS_KINDS)[number];

  @Categories()
  @ValidateIf((basis: LegalBasisSchema) => basis.kind === 'bilateral-treaty' || !!basis.instrument)
  @Text(500, rule('UNTOC 18(7)', 'a bilateral treaty relied on is named (instrument)'))
  instrument?: string;
}

export class UrgencySchema {
  @Categories() @IsBoolean() urgent!: boolean;

  @Categories()
  @ValidateIf((urgency: UrgencySchema) => urgency.urgent === true || urgency.reasons !== undefined)
  @Text(2000, rule('UNTOC 18(24)', 'an urgent request gives the reasons for its urgency'))
  reasons?: string;
}

export class MoneySchema {
  @Categories('assets')
  @IsNumber({ maxDecimalPlaces: 8, allowNaN: false, allowInfinity: false })
  @Min(0)
  amount!: number;

  @Categories('assets') @IsISO4217CurrencyCode() currency!: string;
}

/** The 18(21) grounds, (a)–(d), and `fiscal`, which may be mentioned but never stand alone. */
export const MLA_REFUSAL_GROUNDS = [
  'not-in-conformity',
  'essential-interests',
  'domestic-law-prohibits',
  'contrary-to-legal-system',
  'fiscal',
] as const;
export type MlaRefusalGround = (typeof MLA_REFUSAL_GROUNDS)[number];

/** Grounds listed (must be non-empty, from `grounds`), and never `fiscal` alone (18(22)). */
export function RefusalGrounds(grounds: readonly string[], ruleId: string): PropertyDecorator {
  return compose(
    OneOf(grounds, {
      list: true,
      ...rule(ruleId, `a refusal cites one or more grounds: ${grounds.join(', ')}`),
    }),
    Check(
      'notSolelyFiscal',
      (value) => !Array.isArray(value) || value.some((ground) => ground !== 'fiscal'),
      rule(
        'UNTOC 18(22)',
        'a request is never refused on the sole ground that it involves fiscal matters',
      ),
    ),
  );
}
