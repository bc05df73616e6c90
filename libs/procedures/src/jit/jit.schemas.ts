import 'reflect-metadata';
import { IsBoolean, IsISO31661Alpha2, IsOptional, ValidateIf } from 'class-validator';
import { Categories, whenTrue } from '../categories.js';
import { PersonSchema } from '../common.schemas.js';
import {
  AuthorityId,
  Check,
  compose,
  IsoDate,
  Nested,
  rule,
  Sha256,
  stateOf,
  Text,
  TextList,
  Timestamp,
} from '../schema-kit.js';

/*
 * Joint investigation teams, UNTOC art. 19 and 004 Table 5. Team members are officials, not persons
 * concerned: their names carry no data category.
 */

/** Authority ids, at least two, of at least two different States (UNTOC 19). */
function Parties(text: string): PropertyDecorator {
  return compose(
    TextList(30, 60, { nonEmpty: true, ...rule('UNTOC 19', text) }),
    AuthorityId({ each: true, message: 'parties are authority ids such as FR-MOJ-BEPI' }),
    Check(
      'twoStatesOrMore',
      (value) => Array.isArray(value) && new Set(value.map((id) => stateOf(String(id)))).size >= 2,
      rule(
        'UNTOC 19',
        'a joint investigation team brings together authorities of two or more States',
      ),
    ),
  );
}

function isParty(authorityId: unknown, parties: unknown): boolean {
  return Array.isArray(parties) && parties.includes(authorityId);
}

export class JitMemberSchema {
  @Categories() @AuthorityId() authorityId!: string;
  @Categories() @Text(300) name!: string;
  @Categories() @Text(300) role!: string;
}

export class JitDurationSchema {
  @Categories() @IsoDate() start!: string;

  @Categories()
  @Check(
    'endsAfterStart',
    (end, duration: JitDurationSchema) => typeof end === 'string' && end >= String(duration.start),
    { message: 'the team ends on or after the day it starts' },
  )
  @IsoDate()
  end!: string;
}

export class JitTaskSchema {
  @Categories() @AuthorityId() authorityId!: string;
  @Categories('intelligence') @Text(5000) tasks!: string;
}

export class JitProposalBody {
  @Categories() @Parties('the proposal names the proposed parties') proposedParties!: string[];

  @Categories('intelligence')
  @Text(2000, rule('UNTOC 19', 'the proposal states the purpose of the team'))
  purpose!: string;

  @Categories('intelligence') @Text(20000) summary!: string;
  @Categories() @IsOptional() @Text(500) legalBasis?: string;
}

/** The agreement (UNTOC 19; 004 Table 5; a child-victims clause where relevant: 004 Table 2). */
export class JitAgreementBody {
  @Categories() @Parties('the agreement names its parties') parties!: string[];

  @Categories()
  @Text(500, rule('UNTOC 19', 'the agreement states its legal basis'))
  legalBasis!: string;

  @Categories('intelligence')
  @Text(
    5000,
    rule('004 Table 5', 'the agreement defines the common objective (purpose) of the team'),
  )
  purpose!: string;

  @Categories()
  @Check(
    'leaderIsParty',
    (leader, agreement: JitAgreementBody) =>
      isParty((leader as JitMemberSchema | undefined)?.authorityId, agreement.parties),
    rule('UNTOC 19', 'the leader belongs to one of the parties'),
  )
  @Nested(() => JitMemberSchema, rule('UNTOC 19', 'the agreement names the leader of the team'))
  leader!: JitMemberSchema;

  @Categories()
  @Check(
    'membersPerParty',
    (members, agreement: JitAgreementBody) => {
      if (!Array.isArray(members) || !Array.isArray(agreement.parties)) return false;
      const ids = members.map((member) => (member as JitMemberSchema | undefined)?.authorityId);
      return (
        ids.every((id) => isParty(id, agreement.parties)) &&
        agreement.parties.every((party) => ids.includes(party))
      );
    },
    rule('UNTOC 19', 'every party names its members, and every member belongs to a party'),
  )
  @Nested(() => JitMemberSchema, {
    each: true,
    nonEmpty: true,
    maxItems: 200,
    ...rule('UNTOC 19', 'the agreement lists the members per State'),
  })
  members!: JitMemberSchema[];

  @Categories()
  @Nested(() => JitDurationSchema, rule('UNTOC 19', 'the agreement sets the duration of the team'))
  duration!: JitDurationSchema;

  @Categories()
  @Text(2000, rule('UNTOC 19', 'the agreement states how the team may be extended'))
  extensionTerms!: string;

  @Categories()
  @Text(
    5000,
    rule('004 Table 5', 'the agreement sets a procedure for information and data exchange'),
  )
  informationExchange!: string;

  @Categories()
  @Nested(() => JitTaskSchema, {
    each: true,
    nonEmpty: true,
    ...rule('004 Table 5', 'the agreement distributes the tasks between the parties'),
  })
  tasks!: JitTaskSchema[];

  @Categories(whenTrue('child-status')) @IsBoolean() childVictimsInvolved!: boolean;

  @Categories('child-status')
  @ValidateIf(
    (agreement: JitAgreementBody) =>
      agreement.childVictimsInvolved === true || agreement.childVictimsClause !== undefined,
  )
  @Text(
    5000,
    rule('004 Table 2', 'when child victims are involved, the agreement has a clause on them'),
  )
  childVictimsClause?: string;
}

export class JitAcceptanceBody {
  @Categories() @Text(300) signatory!: string;
  @Categories() @IsoDate() signedOn!: string;
  @Categories() @IsOptional() @Text(5000) reservations?: string;
}

/** Goes to every member (fan-out). An action on the territory of a State names its approval (H-9). */
export class JitOperationalMessageBody {
  @Categories() @Text(300) subject!: string;
  @Categories('intelligence') @Text(20000) text!: string;

  @Categories()
  @IsOptional()
  @Nested(() => PersonSchema, { each: true })
  persons?: PersonSchema[];

  @Categories() @IsOptional() @IsISO31661Alpha2() territoryState?: string;

  @Categories()
  @ValidateIf(
    (body: JitOperationalMessageBody) =>
      body.territoryState !== undefined || body.actionId !== undefined,
  )
  @Text(
    100,
    rule(
      'H-9',
      'a message about an action on the territory of a State names the action (actionId)',
    ),
  )
  actionId?: string;
}

export class JitActionApprovalRequestBody {
  @Categories() @Text(100) actionId!: string;

  @Categories()
  @IsISO31661Alpha2(
    rule('H-9', 'the State on whose territory the action takes place is named (territoryState)'),
  )
  territoryState!: string;

  @Categories('intelligence') @Text(5000) description!: string;
  @Categories() @IsOptional() @Timestamp() plannedFrom?: string;
  @Categories() @IsOptional() @Timestamp() plannedUntil?: string;

  @Categories()
  @IsOptional()
  @Nested(() => PersonSchema, { each: true })
  persons?: PersonSchema[];
}

export class JitActionApprovalBody {
  @Categories() @Text(100) actionId!: string;
  @Categories() @IsBoolean() approved!: boolean;
  @Categories() @IsOptional() @Text(5000) conditions?: string;
  @Categories() @IsOptional() @Text(5000) reasons?: string;
}

export class CustodyEntrySchema {
  @Categories() @Timestamp() at!: string;
  @Categories() @Text(300) by!: string;
  @Categories() @Text(1000) action!: string;
}

export class EvidenceSignerSchema {
  @Categories() @AuthorityId() authorityId!: string;
  @Categories() @Text(300) name!: string;
}

/** Evidence stays admissible with its hash, its signer and its chain of custody (004 Table 5). */
export class JitEvidenceItemBody {
  @Categories() @Text(100) itemId!: string;
  @Categories('intelligence') @Text(5000) description!: string;

  @Categories()
  @Sha256(rule('004 Table 5', 'an evidence item carries its SHA-256 hash (lowercase hex)'))
  sha256!: string;

  @Categories()
  @Nested(() => EvidenceSignerSchema, rule('004 Table 5', 'an evidence item names its signer'))
  signer!: EvidenceSignerSchema;

  @Categories()
  @Nested(() => CustodyEntrySchema, {
    each: true,
    nonEmpty: true,
    maxItems: 500,
    ...rule('004 Table 5', 'an evidence item carries its chain-of-custody records'),
  })
  chainOfCustody!: CustodyEntrySchema[];

  /** The envelope attachment holding the item, if it travels with this message. */
  @Categories() @IsOptional() @Text(255) attachmentName?: string;
}

export class JitExtensionBody {
  @Categories() @IsoDate() newEnd!: string;
  @Categories() @Text(2000) reasons!: string;
}

export class JitClosureBody {
  @Categories() @IsoDate() closedOn!: string;
  @Categories() @Text(5000) reasons!: string;
}
