import type { ProfileCondition } from './profile.js';

/** The value at a dot path of a body, reading own fields only; undefined where any step is missing. */
function valueAt(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Whether a condition holds for the body of the message it names (undefined when the request has
 * no such message: an absent field). Values are compared strictly: `"true"` is not `true`.
 */
export function conditionHolds(condition: ProfileCondition, body: unknown): boolean {
  const value = valueAt(body, condition.field);
  return 'equals' in condition ? value === condition.equals : value !== condition.notEquals;
}
