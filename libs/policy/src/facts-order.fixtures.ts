import type { PolicyDecision } from './decision.js';

/*
 * For the tests of the order of facts: whether one decision lets through what another stopped.
 */

const SEVERITY = { allow: 0, 'allow-with-redactions': 0, warn: 1, block: 2 } as const;

const redactionsOf = (decision: PolicyDecision) =>
  new Set(decision.redactions.map((r) => `${r.path} ${r.action}`));

/**
 * How `after` lets more through than `before` (undefined: it does not): a lighter outcome, fewer
 * acknowledgements waited for, fewer redactions, fewer States excluded from onward transfer.
 */
export function looserThan(after: PolicyDecision, before: PolicyDecision): string | undefined {
  if (SEVERITY[after.outcome] < SEVERITY[before.outcome]) {
    return `${before.outcome} became ${after.outcome}`;
  }
  if (after.outcome === 'block') return undefined;
  const pending = before.pendingAcknowledgements.filter(
    (rule) => !after.pendingAcknowledgements.includes(rule),
  );
  if (pending.length > 0) return `no longer waits for ${pending.join(', ')}`;
  const redactions = [...redactionsOf(before)].filter((r) => !redactionsOf(after).has(r));
  if (redactions.length > 0) return `no longer redacts ${redactions.join(', ')}`;
  const handling = before.requiredHandling.noOnwardTransferTo.filter(
    (state) => !after.requiredHandling.noOnwardTransferTo.includes(state),
  );
  if (handling.length > 0) return `no longer excludes onward transfer to ${handling.join(', ')}`;
  return undefined;
}
