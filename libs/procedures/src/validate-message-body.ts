import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { messageDefinition, type BodyOf, type MessageTypeOf } from './catalogue.js';
import { collectCategories, type DataCategory } from './categories.js';

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
};

/** A field error in a body: `{ field, rule, message }`, `rule` where a legal rule applies. */
export interface BodyErrorDetail extends ErrorDetail {
  field: string;
  message: string;
  rule?: string;
}

function ruleIn(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null || !('rule' in context)) return undefined;
  return typeof context.rule === 'string' ? context.rule : undefined;
}

/** Flattens class-validator errors into details whose field is a path (`body.persons.0.names`). */
export function bodyErrorDetails(errors: ValidationError[], prefix = 'body'): BodyErrorDetail[] {
  return errors.flatMap((error) => {
    const field = `${prefix}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
      const context: unknown = error.contexts?.[constraint];
      const rule = ruleIn(context);
      return rule ? { field, rule, message } : { field, message };
    });
    return [...own, ...bodyErrorDetails(error.children ?? [], field)];
  });
}

function summary(details: BodyErrorDetail[]): string {
  const shown = details.slice(0, 3).map((detail) => detail.message);
  const more = details.length > shown.length ? ` (and ${details.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * Checks a message body against its procedure's schema for that message type; unknown fields are
 * rejected. Returns the body as an instance of the schema, or throws VALIDATION_FAILED with one
 * detail per field at fault (`{ field, rule?, message }`).
 */
export function validateMessageBody<P extends Procedure, T extends MessageTypeOf<P>>(
  procedure: P,
  messageType: T,
  body: unknown,
): BodyOf<P, T>;
export function validateMessageBody(
  procedure: Procedure,
  messageType: string,
  body: unknown,
): object;
export function validateMessageBody(
  procedure: Procedure,
  messageType: string,
  body: unknown,
): object {
  const { schema } = messageDefinition(procedure, messageType);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `the body of a ${procedure} ${messageType} is a JSON object`,
      [{ field: 'body', message: 'the body must be a JSON object' }],
    );
  }
  const instance = plainToInstance(schema, body);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) {
    const details = bodyErrorDetails(errors);
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `${procedure} ${messageType}: ${summary(details)}`,
      details,
    );
  }
  return instance;
}

/**
 * The data categories present in a body (domain.md 4), from the schema's tags, walking nested
 * schemas; value-dependent tags (a person's roles) are applied. Fails closed: a body that does not
 * validate is not classified (VALIDATION_FAILED).
 */
export function categoriesOf(
  procedure: Procedure,
  messageType: string,
  body: unknown,
): Set<DataCategory> {
  const { schema } = messageDefinition(procedure, messageType);
  const instance = validateMessageBody(procedure, messageType, body);
  return collectCategories(schema, instance, new Set());
}
