import 'reflect-metadata';
import type { DataCategory } from '#libs/kernel';

/**
 * Categories of data a message body may carry (domain.md section 4). They are schema-level tags,
 * never guesses: the policy engine decides on them (H-1 asylum, H-2 location, H-5 children, H-10
 * health, W-3 identity...).
 */
export { DATA_CATEGORIES, type DataCategory } from '#libs/kernel';

/** Categories that depend on a field's value (a person's roles, a `true` flag). */
export type CategoryRule = (value: unknown) => readonly DataCategory[];

/** A schema class: what `@Categories` and `@Nested` decorate. */
export type SchemaClass<T extends object = object> = new () => T;

interface FieldTags {
  categories: DataCategory[];
  rules: CategoryRule[];
  tagged: boolean;
  nested?: () => SchemaClass;
}

const FIELD_TAGS = Symbol('procedures:field-tags');

function ownTags(target: object): Map<string, FieldTags> {
  const existing = Reflect.getOwnMetadata(FIELD_TAGS, target) as Map<string, FieldTags> | undefined;
  if (existing) return existing;
  // A subclass starts from a copy of its parent's tags (parents are decorated first).
  const inherited = Reflect.getMetadata(FIELD_TAGS, target) as Map<string, FieldTags> | undefined;
  const tags = new Map(
    [...(inherited ?? new Map<string, FieldTags>())].map(([k, v]) => [k, { ...v }]),
  );
  Reflect.defineMetadata(FIELD_TAGS, tags, target);
  return tags;
}

function fieldTags(prototype: object, property: string | symbol): FieldTags {
  const tags = ownTags(prototype.constructor);
  const key = String(property);
  const entry = tags.get(key) ?? { categories: [], rules: [], tagged: false };
  tags.set(key, entry);
  return entry;
}

/**
 * Tags a schema field with the data categories it carries. `@Categories()` with no argument says
 * explicitly that the field carries none of them (a procedural field). A function argument adds
 * categories that depend on the value: `@Categories(whenTrue('child-status'))`.
 */
export function Categories(...tags: (DataCategory | CategoryRule)[]): PropertyDecorator {
  return (prototype, property) => {
    const entry = fieldTags(prototype, property);
    entry.tagged = true;
    for (const tag of tags) {
      if (typeof tag === 'function') entry.rules.push(tag);
      else if (!entry.categories.includes(tag)) entry.categories.push(tag);
    }
  };
}

/** Records the schema of a nested field so that `categoriesOf` can walk into it. */
export function NestedSchema(type: () => SchemaClass): PropertyDecorator {
  return (prototype, property) => {
    fieldTags(prototype, property).nested = type;
  };
}

/** A category rule: the categories apply only when the field is `true`. */
export function whenTrue(...categories: DataCategory[]): CategoryRule {
  return (value) => (value === true ? categories : []);
}

/** The fields of a schema and their tags (for the completeness test and the walker). */
export function tagsOf(schema: SchemaClass): ReadonlyMap<string, Readonly<FieldTags>> {
  return (
    (Reflect.getMetadata(FIELD_TAGS, schema) as Map<string, FieldTags> | undefined) ?? new Map()
  );
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

/** Adds to `into` the categories of every present field of a (validated) schema instance. */
export function collectCategories(
  schema: SchemaClass,
  instance: object,
  into: Set<DataCategory>,
): Set<DataCategory> {
  for (const [field, tags] of tagsOf(schema)) {
    const value: unknown = (instance as Record<string, unknown>)[field];
    if (!isPresent(value)) continue;
    for (const category of tags.categories) into.add(category);
    for (const rule of tags.rules) for (const category of rule(value)) into.add(category);
    if (!tags.nested) continue;
    const nested = tags.nested();
    for (const element of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (typeof element === 'object' && element !== null) {
        collectCategories(nested, element, into);
      }
    }
  }
  return into;
}
