import 'reflect-metadata';
import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { Procedure } from '#libs/kernel';
import { definitionOf, messageDefinition, schemaOf } from './catalogue.js';
import { tagsOf, type SchemaClass } from './categories.js';
import { DATE_PATTERN, PARTIAL_DATE_PATTERN, WITH_ZONE_PATTERN } from './schema-kit.js';
import type { SenderRole } from './procedure-definition.js';

/*
 * Form descriptions, generated from the body schemas the API validates (class-validator's metadata
 * storage): what a form needs to render a message type and to say, before sending, what is
 * missing and on which legal basis. Nothing here is written by hand per message type, so a form
 * cannot drift from the validation.
 */

/** One constraint on a field, with the message the API answers and its rule where one applies. */
export interface FieldConstraint {
  /** class-validator's name (`isString`, `maxLength`...) or a cross-field check's (`endsAfterStart`). */
  readonly name: string;
  readonly message: string;
  readonly rule?: string;
}

export type FieldKind = 'text' | 'boolean' | 'number' | 'enum' | 'object' | 'array';

/**
 * - `date`: `YYYY-MM-DD`; `partial-date`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`;
 * - `date-time`: an ISO 8601 timestamp with a time zone;
 * - `country`: ISO 3166-1 alpha-2; `currency`: ISO 4217.
 */
export type FieldFormat = 'date' | 'partial-date' | 'date-time' | 'country' | 'currency';

/**
 * - `required`: the API refuses the body without it;
 * - `conditional`: required in some cases only (another field's value decides: `ValidateIf`);
 * - `optional`: validated only when given.
 */
export type FieldPresence = 'required' | 'conditional' | 'optional';

export interface FieldDescription {
  readonly name: string;
  /** Dot path from the body (`proceeding.conductingAuthority.name`); `*` stands for an array index. */
  readonly path: string;
  readonly kind: FieldKind;
  readonly presence: FieldPresence;
  /** What the API answers when the field is absent, where it must be present (its first constraint). */
  readonly missing?: FieldConstraint;
  /** Every constraint on the field itself (an array's own, not its items'). */
  readonly constraints: readonly FieldConstraint[];
  readonly maxLength?: number;
  /** A regular expression the value matches (JavaScript syntax, as in the schema). */
  readonly pattern?: string;
  readonly format?: FieldFormat;
  readonly values?: readonly string[];
  readonly minimum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** Checks that depend on the value in ways no keyword above says (often on other fields too). */
  readonly checks?: readonly string[];
  /** An object's fields. */
  readonly fields?: readonly FieldDescription[];
  /** An array's items (named `*`). */
  readonly items?: FieldDescription;
}

export interface FormDescription {
  readonly procedure: Procedure;
  readonly messageType: string;
  readonly senders: readonly SenderRole[];
  /** Whether the message type opens a case (accepted in the procedure's initial status). */
  readonly opensCase: boolean;
  readonly fields: readonly FieldDescription[];
}

type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

const KNOWN = new Set([
  'isString',
  'isNotEmpty',
  'maxLength',
  'isArray',
  'arrayNotEmpty',
  'arrayMaxSize',
  'isIn',
  'isBoolean',
  'isNumber',
  'min',
  'isObject',
  'matches',
  'isIso8601',
  'isISO31661Alpha2',
  'isISO4217CurrencyCode',
]);

function constraintMessage(metadata: ValidationMetadata, property: string, target: string): string {
  const args: ValidationArguments = {
    value: undefined,
    constraints: metadata.constraints ?? [],
    targetName: target,
    object: {},
    property,
  };
  let message: string | undefined;
  if (typeof metadata.message === 'function') message = metadata.message(args);
  else if (typeof metadata.message === 'string') message = metadata.message;
  else if (metadata.constraintCls) {
    const [constraint] = getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls);
    const instance = constraint?.instance as ValidatorConstraintInterface | undefined;
    message = instance?.defaultMessage?.(args);
  }
  let text = message ?? '';
  (metadata.constraints ?? []).forEach((value: unknown, index: number) => {
    const shown = Array.isArray(value) ? value.join(', ') : String(value);
    text = text.replace(new RegExp(`\\$constraint${index + 1}`, 'g'), shown);
  });
  return text.replace(/\$property/g, property).replace(/\$target/g, target);
}

function ruleOf(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null || !('rule' in context)) return undefined;
  return typeof context.rule === 'string' ? context.rule : undefined;
}

function constraintOf(metadata: ValidationMetadata, property: string, target: string) {
  const rule = ruleOf(metadata.context);
  const described: FieldConstraint = {
    name: metadata.name ?? metadata.type,
    message: constraintMessage(metadata, property, target),
    ...(rule ? { rule } : {}),
  };
  return described;
}

function formatOf(names: Set<string>, pattern: string | undefined): FieldFormat | undefined {
  if (pattern === PARTIAL_DATE_PATTERN.source) return 'partial-date';
  if (pattern === DATE_PATTERN.source) return 'date';
  if (pattern === WITH_ZONE_PATTERN.source) return 'date-time';
  if (names.has('isISO31661Alpha2')) return 'country';
  if (names.has('isISO4217CurrencyCode')) return 'currency';
  return undefined;
}

/** Keywords of a value (a scalar field, or an array's items) from its constraints. */
function scalar(
  metadatas: readonly ValidationMetadata[],
  property: string,
  target: string,
): Pick<
  FieldDescription,
  'kind' | 'maxLength' | 'pattern' | 'format' | 'values' | 'minimum' | 'checks' | 'constraints'
> {
  const names = new Set(metadatas.map((m) => m.name ?? ''));
  const find = (name: string) => metadatas.find((m) => m.name === name);
  const maxLength = find('maxLength')?.constraints?.[0] as number | undefined;
  const matches = find('matches')?.constraints?.[0] as RegExp | string | undefined;
  const pattern = matches instanceof RegExp ? matches.source : matches;
  const values = find('isIn')?.constraints?.[0] as readonly string[] | undefined;
  const minimum = find('min')?.constraints?.[0] as number | undefined;
  const checks = metadatas.map((m) => m.name ?? '').filter((n) => n && !KNOWN.has(n));
  const kind: FieldKind = values
    ? 'enum'
    : names.has('isBoolean')
      ? 'boolean'
      : names.has('isNumber')
        ? 'number'
        : 'text';
  const format = formatOf(names, pattern);
  return {
    kind,
    constraints: metadatas.map((m) => constraintOf(m, property, target)),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    ...(format ? { format } : {}),
    ...(values ? { values: [...values] } : {}),
    ...(minimum !== undefined ? { minimum } : {}),
    ...(checks.length > 0 ? { checks } : {}),
  };
}

function describeSchema(
  schema: SchemaClass,
  prefix: string,
  seen: readonly SchemaClass[],
): FieldDescription[] {
  if (seen.includes(schema)) {
    throw new Error(`${schema.name} nests itself: a form cannot describe it`);
  }
  const all = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of all) {
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }
  const tags = tagsOf(schema);
  return [...byProperty].map(([name, metadatas]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const conditional = metadatas.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    const presence: FieldPresence = conditional.some((m) => m.name === 'isOptional')
      ? 'optional'
      : conditional.length > 0
        ? 'conditional'
        : 'required';
    const checked = metadatas.filter((m) => m.type === ValidationTypes.CUSTOM_VALIDATION);
    const own = checked.filter((m) => !m.each);
    const each = checked.filter((m) => m.each);
    const nested = metadatas.some((m) => m.type === ValidationTypes.NESTED_VALIDATION);
    const isArray = own.some((m) => m.name === 'isArray');
    const nestedSchema = tags.get(name)?.nested?.();
    if (nested && !nestedSchema) {
      throw new Error(`${schema.name}.${name} is nested without a NestedSchema tag`);
    }
    const target = schema.name;
    // Cross-field checks run on the whole array (a party list, members): they are the array's.
    const ownChecks = own.map((m) => m.name ?? '').filter((n) => n && !KNOWN.has(n));
    const constraints = own.map((m) => constraintOf(m, name, target));
    const firstRequired = presence === 'optional' ? undefined : constraints[0];
    const common = {
      name,
      path,
      presence,
      ...(firstRequired ? { missing: firstRequired } : {}),
    };
    if (isArray) {
      const maxItems = own.find((m) => m.name === 'arrayMaxSize')?.constraints?.[0] as
        number | undefined;
      const itemPath = `${path}.*`;
      const items: FieldDescription =
        nested && nestedSchema
          ? {
              name: '*',
              path: itemPath,
              kind: 'object',
              presence: 'required',
              constraints: [],
              fields: describeSchema(nestedSchema, itemPath, [...seen, schema]),
            }
          : { name: '*', path: itemPath, presence: 'required', ...scalar(each, name, target) };
      return {
        ...common,
        kind: 'array',
        constraints,
        ...(own.some((m) => m.name === 'arrayNotEmpty') ? { minItems: 1 } : {}),
        ...(maxItems !== undefined ? { maxItems } : {}),
        ...(ownChecks.length > 0 ? { checks: ownChecks } : {}),
        items,
      } satisfies FieldDescription;
    }
    if (nested && nestedSchema) {
      return {
        ...common,
        kind: 'object',
        constraints,
        ...(ownChecks.length > 0 ? { checks: ownChecks } : {}),
        fields: describeSchema(nestedSchema, path, [...seen, schema]),
      } satisfies FieldDescription;
    }
    return { ...common, ...scalar(own, name, target) } satisfies FieldDescription;
  });
}

/** The form of a message type's body, from its schema. */
export function describeMessageForm(procedure: Procedure, messageType: string): FormDescription {
  const message = messageDefinition(procedure, messageType);
  const initial = definitionOf(procedure).initial().status;
  return {
    procedure,
    messageType,
    senders: message.senders,
    opensCase: message.from.includes(initial),
    fields: describeSchema(schemaOf(procedure, messageType), '', []),
  };
}

/** The message types that open a case of a procedure (`request`, `proposal`, `freeze`...). */
export function openingMessageTypesOf(procedure: Procedure): string[] {
  const definition = definitionOf(procedure);
  const initial = definition.initial().status;
  return Object.entries(definition.messages)
    .filter(([, message]) => message.from.includes(initial))
    .map(([type]) => type);
}
