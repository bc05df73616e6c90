import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCEDURES } from '#libs/kernel';
import { describeMessageForm, messageTypesOf, type FieldDescription } from '#libs/procedures';

/** As apps/console/src/form-labels.ts reads them (an app does not import another). */
const FIELD_LABEL_PREFIX = 'form.field.';

/*
 * The console renders every message type's form from the description GET /api/v1/procedures
 * answers: each field's label is data (apps/console/locales), by field name. This lists the fields
 * of the four procedures that have no label in a language.
 */

function namesOf(fields: readonly FieldDescription[], into: Set<string>): Set<string> {
  for (const field of fields) {
    if (field.name !== '*') into.add(field.name);
    namesOf(field.fields ?? [], into);
    if (field.items) namesOf([field.items], into);
  }
  return into;
}

const NAMES = new Set<string>();
for (const procedure of PROCEDURES) {
  for (const type of messageTypesOf(procedure)) {
    namesOf(describeMessageForm(procedure, type).fields, NAMES);
  }
}

function locale(language: string): Record<string, string> {
  const path = join(import.meta.dirname, '..', '..', 'console', 'locales', `${language}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
}

describe('labels of the generated forms', () => {
  it.each(['en', 'fr'])('names every field of the four procedures in %s', (language) => {
    const labels = locale(language);
    const unlabelled = [...NAMES].filter((name) => !labels[`${FIELD_LABEL_PREFIX}${name}`]);
    expect(unlabelled).toEqual([]);
    expect(NAMES.size).toBeGreaterThan(100);
  });

  it('labels no field that no schema has', () => {
    for (const language of ['en', 'fr']) {
      const stale = Object.keys(locale(language))
        .filter((key) => key.startsWith(FIELD_LABEL_PREFIX))
        .map((key) => key.slice(FIELD_LABEL_PREFIX.length))
        .filter((name) => !NAMES.has(name));
      expect({ language, stale }).toEqual({ language, stale: [] });
    }
  });
});
