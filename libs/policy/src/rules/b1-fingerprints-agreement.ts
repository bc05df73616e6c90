import { attachmentField } from '../input.js';
import { asString } from '../persons.js';
import { defineRule } from './rule.js';

/**
 * B-1, every message with a file declared `fingerprints`: it goes only when an agreement is
 * recorded in the case facts (`agreementId`) or named by the message (`body.agreementId`). A legal
 * basis alone (a convention article) is not an agreement on exchanging biometric data.
 */
export const B1 = defineRule('B-1', 'every message with a fingerprints attachment', (context) => {
  const fingerprints = (context.input.attachments ?? []).filter(
    (attachment) => attachment.category === 'fingerprints',
  );
  if (fingerprints.length === 0) return [];
  const agreement =
    asString(context.input.facts.agreementId) ?? asString(context.input.body.agreementId);
  if (agreement !== undefined) return [];
  const fields = fingerprints.map(attachmentField);
  return [
    {
      severity: 'block',
      explanation: `${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} declared fingerprints, and no agreement is recorded for the case or named by the message`,
      fields,
    },
  ];
});
