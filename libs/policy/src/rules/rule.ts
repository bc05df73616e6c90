import { RULES_CATALOGUE, type RuleDescription, type RuleId } from '../catalogue.js';
import type { RuleContext } from '../context.js';
import type { FindingSeverity, RedactionAction } from '../decision.js';

/** What a rule finds in one message. */
export interface RuleHit {
  readonly severity: FindingSeverity;
  /** Plain, for the legal officer: may name persons, States and reasons. */
  readonly explanation: string;
  readonly fields?: readonly string[];
  readonly redactions?: readonly { readonly path: string; readonly action: RedactionAction }[];
  /** Overrides the default message to the sender (H-1 says only `Blocked by H-1`). */
  readonly senderMessage?: string;
}

export interface PolicyRule {
  readonly id: RuleId;
  readonly description: RuleDescription;
  /** Where the rule applies (procedures, message types, channels), in plain words. */
  readonly appliesTo: string;
  /** Empty: the rule does not apply to this message, or is satisfied. */
  check(context: RuleContext): readonly RuleHit[];
}

export function defineRule(
  id: RuleId,
  appliesTo: string,
  check: (context: RuleContext) => readonly RuleHit[],
): PolicyRule {
  return { id, description: RULES_CATALOGUE[id], appliesTo, check };
}

export function recorded(reference: string | undefined): boolean {
  return reference !== undefined && reference.trim() !== '';
}

export function list(items: readonly string[]): string {
  return items.join(', ');
}
