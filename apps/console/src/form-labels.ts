/**
 * Labels of the generated forms' fields: data in locales/*.json (`form.field.<name>`), by field
 * name; a field without a label in the language shows its name, humanised (`summaryOfFacts`:
 * "Summary of facts"), so that a new schema field is never shown blank.
 */
export const FIELD_LABEL_PREFIX = 'form.field.';

export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldLabel(labels: Readonly<Record<string, string | undefined>>, name: string) {
  return labels[`${FIELD_LABEL_PREFIX}${name}`] ?? humanise(name);
}
