import { sealEnvelope, type EnvelopePayload, type SealingKeys } from '#libs/envelope';
import {
  authorisePayload,
  evaluate,
  policyError,
  type AuthorityKind,
  type CaseFacts,
} from '#libs/policy';
import { categoriesOf } from '#libs/procedures';

/**
 * Seals a payload the way a node does, through the policy decision point, for tools that act as a
 * node without running one (benchmarks). Case facts and the register are empty here: a real node
 * decides with its own.
 */
export async function sealThroughPolicy(
  payload: EnvelopePayload,
  keys: SealingKeys,
  options: { facts?: CaseFacts; kinds?: { sender: AuthorityKind; recipient: AuthorityKind } } = {},
): Promise<string> {
  const kinds = options.kinds ?? { sender: 'central-authority', recipient: 'central-authority' };
  const decision = evaluate({
    channel: payload.inReplyTo ? 'answer' : 'new-request',
    procedure: payload.procedure,
    messageType: payload.messageType,
    sender: { authorityId: payload.sender, state: payload.sender.slice(0, 2), kind: kinds.sender },
    recipient: {
      authorityId: payload.recipient,
      state: payload.recipient.slice(0, 2),
      kind: kinds.recipient,
    },
    body: payload.body,
    categories: categoriesOf(payload.procedure, payload.messageType, payload.body),
    facts: options.facts ?? {},
    purpose: payload.handling.permittedPurpose,
  });
  const refusal = policyError(decision);
  if (refusal) throw refusal;
  return sealEnvelope(payload, keys, authorisePayload(decision, payload));
}
