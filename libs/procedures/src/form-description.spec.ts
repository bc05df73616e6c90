import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { PROCEDURES, type Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError } from '#libs/errors';
import { messageTypesOf, schemaOf } from './catalogue.js';
import { tagsOf, type SchemaClass } from './categories.js';
import {
  describeMessageForm,
  openingMessageTypesOf,
  type FieldDescription,
} from './form-description.js';
import { validateMessageBody, type BodyErrorDetail } from './validate-message-body.js';

const ALL_TYPES: Array<[Procedure, string]> = PROCEDURES.flatMap((procedure) =>
  messageTypesOf(procedure).map((type): [Procedure, string] => [procedure, type]),
);

/** Every validated property of a schema, nested ones included, as description paths. */
function validatedPaths(schema: SchemaClass, prefix: string): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  const properties = [...new Set(metadatas.map((m) => m.propertyName))];
  return properties.flatMap((property) => {
    const path = prefix ? `${prefix}.${property}` : property;
    const nested = tagsOf(schema).get(property)?.nested?.();
    if (!nested) return [path];
    const many = metadatas.some((m) => m.propertyName === property && m.name === 'isArray');
    return [path, ...validatedPaths(nested, many ? `${path}.*` : path)];
  });
}

function describedPaths(fields: readonly FieldDescription[]): string[] {
  return fields.flatMap((field) => [
    field.path,
    ...describedPaths(field.fields ?? []),
    ...(field.items?.fields ? describedPaths(field.items.fields) : []),
  ]);
}

const COUNTRIES = ['FR', 'NG', 'RO', 'IT', 'DE', 'VN'];
const CURRENCIES = ['EUR', 'USD', 'NGN'];

/** A value the description's keywords accept; `fc.constant(undefined)` where it cannot say. */
function valueOf(field: FieldDescription): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.integer({ min: field.minimum ?? 0, max: 1_000_000 });
    case 'enum':
      return fc.constantFrom(...(field.values ?? []));
    case 'object':
      return objectOf(field.fields ?? []);
    case 'array': {
      const items = field.items!;
      if (items.kind === 'enum') {
        return fc.uniqueArray(fc.constantFrom(...(items.values ?? [])), {
          minLength: field.minItems ?? 0,
          maxLength: Math.min(field.maxItems ?? 3, 3),
        });
      }
      return fc.array(valueOf(items), {
        minLength: field.minItems ?? 0,
        maxLength: Math.min(field.maxItems ?? 2, 2),
      });
    }
    case 'text':
      return textOf(field);
  }
}

function textOf(field: FieldDescription): fc.Arbitrary<string> {
  switch (field.format) {
    case 'date':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2040-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'partial-date':
      return fc
        .tuple(fc.integer({ min: 1950, max: 2025 }), fc.integer({ min: 1, max: 12 }))
        .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`);
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2040-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'country':
      return fc.constantFrom(...COUNTRIES);
    case 'currency':
      return fc.constantFrom(...CURRENCIES);
  }
  if (field.pattern) return fc.stringMatching(new RegExp(field.pattern));
  return fc
    .string({ minLength: 1, maxLength: Math.min(field.maxLength ?? 40, 40) })
    .filter((s) => s.trim().length > 0);
}

/** Required and conditional fields always, optional ones sometimes; no field with a check. */
function objectOf(fields: readonly FieldDescription[]): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  const optional: string[] = [];
  for (const field of fields) {
    if (field.checks?.length) continue;
    record[field.name] = valueOf(field);
    if (field.presence === 'optional') optional.push(field.name);
  }
  return fc.record(record, {
    requiredKeys: Object.keys(record).filter((k) => !optional.includes(k)),
  });
}

/** Whether a body can be generated from the keywords alone: no required field carries a check. */
function generable(fields: readonly FieldDescription[]): boolean {
  return fields.every(
    (field) =>
      (field.presence === 'optional' || !field.checks?.length) &&
      generable(field.fields ?? []) &&
      generable(field.items?.fields ?? []),
  );
}

function refusal(procedure: Procedure, messageType: string, body: unknown): BodyErrorDetail[] {
  try {
    validateMessageBody(procedure, messageType, body);
  } catch (error) {
    if (error instanceof GatewayError && error.code === ErrorCode.VALIDATION_FAILED) {
      return error.details as BodyErrorDetail[];
    }
    throw error;
  }
  return [];
}

/** Required fields reachable through required objects only (what a checklist lists). */
function requiredFields(fields: readonly FieldDescription[]): FieldDescription[] {
  return fields
    .filter((field) => field.presence === 'required')
    .flatMap((field) => [field, ...requiredFields(field.fields ?? [])]);
}

function without(body: Record<string, unknown>, path: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[keys.at(-1)!];
  return copy;
}

describe('form descriptions', () => {
  it.each(ALL_TYPES)('%s %s: describes every validated property', (procedure, type) => {
    const form = describeMessageForm(procedure, type);
    expect(describedPaths(form.fields).sort()).toEqual(
      validatedPaths(schemaOf(procedure, type), '').sort(),
    );
  });

  it('carries kinds, presence, enums, formats and rules from the schema', () => {
    const form = describeMessageForm('mla', 'request');
    const field = (path: string) => {
      const found = (function find(fields: readonly FieldDescription[]): FieldDescription[] {
        return fields.flatMap((f) => [
          ...(f.path === path ? [f] : []),
          ...find(f.fields ?? []),
          ...(f.items ? find([f.items]) : []),
        ]);
      })(form.fields);
      expect(found).toHaveLength(1);
      return found[0];
    };
    expect(form.opensCase).toBe(true);
    expect(form.senders).toEqual(['requesting']);
    expect(field('proceeding.conductingAuthority.name')).toMatchObject({
      kind: 'text',
      presence: 'required',
      maxLength: 300,
      missing: { rule: 'UNTOC 18(15)(b)' },
    });
    expect(field('summaryOfFacts')).toMatchObject({
      presence: 'conditional',
      missing: { rule: 'UNTOC 18(15)(c)' },
    });
    expect(field('assistanceSought')).toMatchObject({
      kind: 'array',
      minItems: 1,
      items: { kind: 'enum' },
    });
    expect(field('assistanceSought').items?.values).toContain('taking-evidence');
    expect(field('persons')).toMatchObject({ kind: 'array', presence: 'optional' });
    expect(field('persons.*.dateOfBirth')).toMatchObject({ format: 'partial-date' });
    expect(field('persons.*.nationalities.*')).toMatchObject({ format: 'country' });
    expect(field('suggestedDeadline.date')).toMatchObject({ format: 'date' });
    expect(field('offence.childVictim')).toMatchObject({ kind: 'boolean' });
    expect(
      describeMessageForm('jit', 'agreement').fields.find((f) => f.name === 'parties'),
    ).toMatchObject({ checks: ['twoStatesOrMore'] });
    expect(
      describeMessageForm('nationality-verification', 'verification-request').fields.find(
        (f) => f.name === 'apprehendedAt',
      ),
    ).toMatchObject({ format: 'date-time', presence: 'conditional' });
  });

  it('names the message types that open a case', () => {
    expect(openingMessageTypesOf('mla')).toEqual(['request']);
    expect(openingMessageTypesOf('nationality-verification')).toEqual(['verification-request']);
    expect(openingMessageTypesOf('assets')).toEqual(
      expect.arrayContaining(['identify', 'freeze', 'confiscate', 'enforce-foreign-order']),
    );
    expect(openingMessageTypesOf('jit')).toEqual(expect.arrayContaining(['proposal', 'agreement']));
  });

  const GENERABLE = ALL_TYPES.filter(([p, t]) => generable(describeMessageForm(p, t).fields));

  it('can generate bodies for all but the message types whose required fields carry checks', () => {
    const left = ALL_TYPES.filter((entry) => !GENERABLE.includes(entry)).map(
      ([p, t]) => `${p} ${t}`,
    );
    expect(left.sort()).toEqual([
      'assets refusal',
      'jit agreement',
      'jit proposal',
      'mla refusal',
      'nationality-verification travel-document-issued',
    ]);
  });

  it.each(GENERABLE)(
    '%s %s: a body built from the description is accepted; one missing a required field is refused citing the described rule',
    (procedure, type) => {
      const form = describeMessageForm(procedure, type);
      const required = requiredFields(form.fields);
      fc.assert(
        fc.property(objectOf(form.fields), (body) => {
          expect(refusal(procedure, type, body)).toEqual([]);
          for (const field of required) {
            const details = refusal(procedure, type, without(body, field.path));
            expect(details).toContainEqual({
              field: `body.${field.path}`,
              message: field.missing!.message,
              ...(field.missing!.rule ? { rule: field.missing!.rule } : {}),
            });
          }
        }),
        { numRuns: 25 },
      );
    },
  );
});
