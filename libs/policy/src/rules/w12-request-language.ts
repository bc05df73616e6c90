import { defineRule } from './rule.js';

/**
 * W-12, requests: warns when the request is written in a language the requested authority does
 * not accept (UNTOC 18(14): a language acceptable to the requested State). Silent when the sender
 * records no language or the directory states none for the authority. A translation attached as a
 * file marked as such is for the supervisor to weigh when acknowledging.
 */
export const W12 = defineRule('W-12', 'requests', (context) => {
  if (!context.isRequest) return [];
  const { language, recipient } = context.input;
  const accepted = recipient.acceptedLanguages ?? [];
  if (language === undefined || accepted.length === 0 || accepted.includes(language)) return [];
  return [
    {
      severity: 'warn',
      explanation: `the request is written in "${language}"; ${recipient.authorityId} accepts requests in ${accepted.join(', ')} (UNTOC 18(14))`,
      fields: ['language'],
    },
  ];
});
