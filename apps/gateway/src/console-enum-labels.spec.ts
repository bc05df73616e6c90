import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES } from '#libs/access';
import { CLOCK_STATUSES } from '#libs/deadlines';
import { FILE_CATEGORIES } from '#libs/files';
import { PROCEDURES } from '#libs/kernel';
import { INBOUND_STATUSES, OUTBOUND_STATUSES } from '#libs/messaging';
import { messageTypesOf, SENDER_ROLES, statusesOf } from '#libs/procedures';

/*
 * The console shows coded values by their label, `<family>.<code>` in apps/console/locales
 * (apps/console/src/enum-labels.tsx). The values come from the product's own definitions, so
 * that a new state, message type or role without a label in a language fails here.
 */

const FAMILIES: Record<string, readonly string[]> = {
  procedure: PROCEDURES,
  state: PROCEDURES.flatMap((procedure) => statusesOf(procedure)),
  messageType: PROCEDURES.flatMap((procedure) => messageTypesOf(procedure)),
  senderRole: SENDER_ROLES,
  role: ROLES,
  messageStatus: [...OUTBOUND_STATUSES, ...INBOUND_STATUSES],
  clockStatus: CLOCK_STATUSES,
  'attachments.categories': FILE_CATEGORIES,
};

function locale(language: string): Record<string, string> {
  const path = join(import.meta.dirname, '..', '..', 'console', 'locales', `${language}.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
}

describe('labels of coded values in the console', () => {
  it.each(['en', 'fr'])('names every value of every family in %s', (language) => {
    const labels = locale(language);
    const missing = Object.entries(FAMILIES).flatMap(([family, codes]) =>
      codes.map((code) => `${family}.${code}`).filter((key) => !labels[key]),
    );
    expect(missing).toEqual([]);
    expect(FAMILIES.state.length).toBeGreaterThan(30);
    expect(FAMILIES.messageType.length).toBeGreaterThan(30);
  });

  it('labels no value that the product does not define', () => {
    for (const language of ['en', 'fr']) {
      const known = new Set(
        Object.entries(FAMILIES).flatMap(([family, codes]) => codes.map((c) => `${family}.${c}`)),
      );
      const stale = Object.keys(locale(language)).filter(
        (key) =>
          Object.keys(FAMILIES).some((family) => key.startsWith(`${family}.`)) && !known.has(key),
      );
      expect({ language, stale }).toEqual({ language, stale: [] });
    }
  });
});
