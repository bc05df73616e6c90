import { defineRule, type RuleHit } from './rule.js';

/**
 * W-4, requests: warns when the request is directed against a person flagged as a victim: named
 * as `suspect`, or declared a target (`targets`, `prosecutionOrDetentionOf`).
 */
export const W4 = defineRule('W-4', 'requests', (context) => {
  if (!context.isRequest) return [];
  const declarations = context.input.declarations;
  const declared = new Set(
    [...(declarations?.targets ?? []), ...(declarations?.prosecutionOrDetentionOf ?? [])].map(
      (ref) => context.resolve(ref),
    ),
  );
  return context.concerned
    .filter(
      (person) =>
        person.isVictim &&
        (person.named?.roles.includes('suspect') === true || declared.has(person)),
    )
    .map((person): RuleHit => ({
      severity: 'warn',
      explanation: `the request is directed against ${person.label}, who is flagged as a victim`,
      ...(person.named && { fields: [`${person.named.path}.roles`] }),
    }));
});
