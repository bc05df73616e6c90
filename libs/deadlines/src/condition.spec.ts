import fc from 'fast-check';
import { conditionHolds } from './condition.js';
import type { ProfileCondition } from './profile.js';

const urgent: ProfileCondition = { message: 'freeze', field: 'urgentFreezing', equals: true };
const notUrgent: ProfileCondition = { message: 'freeze', field: 'urgentFreezing', notEquals: true };

describe('conditionHolds', () => {
  it.each<[string, unknown, boolean]>([
    ['a certificate marked urgent', { urgentFreezing: true }, true],
    ['a certificate marked not urgent', { urgentFreezing: false }, false],
    ['a certificate that does not say', { actionsRequested: 'Freeze A1' }, false],
    ['no certificate at all', undefined, false],
    ['a string that reads true', { urgentFreezing: 'true' }, false],
    ['a 1', { urgentFreezing: 1 }, false],
  ])('starts the urgent clock for %s: %s', (_label, body, expected) => {
    expect(conditionHolds(urgent, body)).toBe(expected);
    // The service-level profile runs exactly where the urgent one does not.
    expect(conditionHolds(notUrgent, body)).toBe(!expected);
  });

  it('follows a dot path into nested fields', () => {
    const nested: ProfileCondition = { message: 'request', field: 'urgency.urgent', equals: true };
    expect(conditionHolds(nested, { urgency: { urgent: true } })).toBe(true);
    expect(conditionHolds(nested, { urgency: { urgent: false } })).toBe(false);
    expect(conditionHolds(nested, { urgency: true })).toBe(false);
    expect(conditionHolds(nested, { urgency: [{ urgent: true }] })).toBe(false);
  });

  it('reads own fields only, never the prototype', () => {
    const inherited: ProfileCondition = { message: 'x', field: 'polluted', equals: true };
    const body = Object.create({ polluted: true }) as object;
    expect(conditionHolds(inherited, body)).toBe(false);
    const toString: ProfileCondition = { message: 'x', field: 'toString', notEquals: 'a' };
    expect(conditionHolds(toString, {})).toBe(true);
  });

  it('never throws, and equals and notEquals of a value always disagree, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('urgentFreezing', 'urgency.urgent', 'a.b.c', '__proto__', 'constructor'),
        fc.oneof(fc.boolean(), fc.integer(), fc.string()),
        (body, field, value) => {
          const holds = conditionHolds({ message: 'm', field, equals: value }, body);
          expect(conditionHolds({ message: 'm', field, notEquals: value }, body)).toBe(!holds);
        },
      ),
    );
  });
});
