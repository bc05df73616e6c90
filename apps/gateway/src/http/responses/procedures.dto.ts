import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROCEDURES, type Procedure } from '#libs/kernel';
import {
  SENDER_ROLES,
  type FieldConstraint,
  type FieldDescription,
  type FieldFormat,
  type FieldKind,
  type FieldPresence,
  type FormDescription,
  type SenderRole,
} from '#libs/procedures';

export class FieldConstraintDto implements FieldConstraint {
  @ApiProperty({ example: 'isString' }) name!: string;
  @ApiProperty({ description: 'what the API answers when the constraint fails' }) message!: string;
  @ApiPropertyOptional({ description: 'rule id or legal basis', example: 'UNTOC 18(15)(c)' })
  rule?: string;
}

/** A field of a form, generated from the body schema the API validates. */
export class FieldDescriptionDto implements FieldDescription {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'dot path from the body; * stands for an array index' })
  path!: string;
  @ApiProperty({ enum: ['text', 'boolean', 'number', 'enum', 'object', 'array'] })
  kind!: FieldKind;
  @ApiProperty({ enum: ['required', 'conditional', 'optional'] }) presence!: FieldPresence;
  @ApiPropertyOptional({
    type: FieldConstraintDto,
    description: 'what the API answers when the field is absent (its first constraint)',
  })
  missing?: FieldConstraintDto;
  @ApiProperty({ type: [FieldConstraintDto] }) constraints!: FieldConstraintDto[];
  @ApiPropertyOptional() maxLength?: number;
  @ApiPropertyOptional({ description: 'a JavaScript regular expression' }) pattern?: string;
  @ApiPropertyOptional({ enum: ['date', 'partial-date', 'date-time', 'country', 'currency'] })
  format?: FieldFormat;
  @ApiPropertyOptional({ type: [String] }) values?: string[];
  @ApiPropertyOptional() minimum?: number;
  @ApiPropertyOptional() minItems?: number;
  @ApiPropertyOptional() maxItems?: number;
  @ApiPropertyOptional({ type: [String], description: 'checks no keyword describes' })
  checks?: string[];
  @ApiPropertyOptional({ type: () => [FieldDescriptionDto], description: "an object's fields" })
  fields?: FieldDescriptionDto[];
  @ApiPropertyOptional({ type: () => FieldDescriptionDto, description: "an array's items" })
  items?: FieldDescriptionDto;
}

export class FormDescriptionDto implements FormDescription {
  @ApiProperty({ enum: PROCEDURES }) procedure!: Procedure;
  @ApiProperty({ example: 'request' }) messageType!: string;
  @ApiProperty({ enum: SENDER_ROLES, isArray: true }) senders!: SenderRole[];
  @ApiProperty({ description: 'whether the message type opens a case' }) opensCase!: boolean;
  @ApiProperty({ type: [FieldDescriptionDto] }) fields!: FieldDescriptionDto[];
}

export class ProcedureFormsDto {
  @ApiProperty({ enum: PROCEDURES }) procedure!: Procedure;
  @ApiProperty({
    type: [FormDescriptionDto],
    description: 'every message type of the procedure, in lifecycle order, with its form',
  })
  messageTypes!: FormDescriptionDto[];
}

export class ProceduresDto {
  @ApiProperty({
    type: [ProcedureFormsDto],
    description: "the procedures of the caller's casework",
  })
  procedures!: ProcedureFormsDto[];
}
