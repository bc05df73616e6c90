import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsISO8601,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { AUTHORITY_ID_PATTERN } from '#libs/kernel';
import { NestedSchema, type SchemaClass } from './categories.js';

/**
 * Building blocks for the body schemas. A constraint that enforces a legal rule carries it twice:
 * in its message (`UNTOC 18(15)(c): a summary of the relevant facts is required`), for people, and
 * in its context (`{ rule: 'UNTOC 18(15)(c)' }`), for `validateMessageBody`'s error details.
 */
export function rule(id: string, text: string): ValidationOptions {
  return { message: `${id}: ${text}`, context: { rule: id } };
}

/** Applies decorators in the order given: with `stopAtFirstError`, the first failing one reports. */
export function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}

function each(options: ValidationOptions | undefined): ValidationOptions {
  return { ...options, each: true };
}

/** A required, non-empty string. */
export function Text(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return compose(IsString(options), IsNotEmpty(options), MaxLength(maxLength));
}

/** An array of non-empty strings; `options` applies to the array itself (say `ArrayNotEmpty`). */
export function TextList(
  maxItems: number,
  maxLength: number,
  options?: ValidationOptions & { nonEmpty?: boolean },
): PropertyDecorator {
  const { nonEmpty, ...arrayOptions } = options ?? {};
  return compose(
    IsArray(arrayOptions),
    ...(nonEmpty ? [ArrayNotEmpty(arrayOptions)] : []),
    ArrayMaxSize(maxItems),
    IsString(each(undefined)),
    IsNotEmpty(each(undefined)),
    MaxLength(maxLength, each(undefined)),
  );
}

/** One of a closed list of values (or, with `list`, a non-empty array of them). */
export function OneOf(
  values: readonly string[],
  options?: ValidationOptions & { list?: boolean },
): PropertyDecorator {
  const { list, ...valueOptions } = options ?? {};
  if (!list) return IsIn(values, valueOptions);
  return compose(
    IsArray(valueOptions),
    ArrayNotEmpty(valueOptions),
    ArrayMaxSize(values.length),
    IsIn(values, each(valueOptions)),
  );
}

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const PARTIAL_DATE_PATTERN = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
export const WITH_ZONE_PATTERN = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date, `YYYY-MM-DD`. */
export function IsoDate(options?: ValidationOptions): PropertyDecorator {
  const fallback = { message: '$property must be a date (YYYY-MM-DD)' };
  return compose(
    IsString(options ?? fallback),
    Matches(DATE_PATTERN, options ?? fallback),
    IsISO8601({ strict: true }, options ?? fallback),
  );
}

/** A date that may be partial (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), as dates of birth often are. */
export function PartialDate(options?: ValidationOptions): PropertyDecorator {
  const fallback = { message: '$property must be a date: YYYY, YYYY-MM or YYYY-MM-DD' };
  return compose(IsString(options ?? fallback), Matches(PARTIAL_DATE_PATTERN, options ?? fallback));
}

/** An ISO 8601 timestamp with a time zone (`2026-03-01T10:15:00Z`). */
export function Timestamp(options?: ValidationOptions): PropertyDecorator {
  const fallback = { message: '$property must be an ISO 8601 timestamp with a time zone' };
  return compose(
    IsString(options ?? fallback),
    IsISO8601({ strict: true, strictSeparator: true }, options ?? fallback),
    Matches(WITH_ZONE_PATTERN, options ?? fallback),
  );
}

/** A lowercase hexadecimal SHA-256 digest. */
export function Sha256(options?: ValidationOptions): PropertyDecorator {
  return Matches(
    /^[0-9a-f]{64}$/,
    options ?? { message: '$property must be a lowercase hexadecimal SHA-256 digest' },
  );
}

/** An authority id such as `FR-MOJ-BEPI` (its prefix is the State's ISO 3166-1 alpha-2 code). */
export function AuthorityId(options?: ValidationOptions): PropertyDecorator {
  return Matches(
    AUTHORITY_ID_PATTERN,
    options ?? { message: '$property must be an authority id such as FR-MOJ-BEPI' },
  );
}

/** The State an authority belongs to: the prefix of its id. */
export function stateOf(authorityId: string): string {
  return authorityId.slice(0, 2);
}

/**
 * A nested schema (or, with `each`, an array of them), validated recursively with the same
 * whitelist; `options` applies to the container (object or array) itself.
 */
export function Nested(
  type: () => SchemaClass,
  options?: ValidationOptions & { maxItems?: number; nonEmpty?: boolean },
): PropertyDecorator {
  const { each: many, maxItems, nonEmpty, ...containerOptions } = options ?? {};
  const container = many
    ? [
        IsArray(containerOptions),
        ...(nonEmpty ? [ArrayNotEmpty(containerOptions)] : []),
        ArrayMaxSize(maxItems ?? 100),
      ]
    : [IsObject(containerOptions)];
  return compose(...container, ValidateNested({ each: many }), Type(type), NestedSchema(type));
}

/**
 * A cross-field check: `holds(value, object)` sees the whole object being validated. Its name is
 * the constraint's key in the error (and must be unique on the property).
 */
export function Check<T extends object>(
  name: string,
  holds: (value: unknown, object: T) => boolean,
  options: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) =>
          holds(value, (args?.object ?? {}) as T),
      },
    },
    options,
  );
}
