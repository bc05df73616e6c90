import { randomUUID } from 'node:crypto';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { isHardBlock, RULES_CATALOGUE } from './catalogue.js';
import { buildContext, shieldedStates, type RuleContext } from './context.js';
import type {
  FindingSeverity,
  PolicyDecision,
  PolicyFinding,
  PolicyOutcome,
  Redaction,
} from './decision.js';
import { canonicalDigest } from './digest.js';
import { AUTHORITY_KINDS, CHANNELS, type Acknowledgement, type PolicyInput } from './input.js';
import { stateCode } from './persons.js';
import { applyRedactions } from './redact.js';
import { RULES } from './rules/index.js';
import type { PolicyRule } from './rules/rule.js';
import type { ExtraRule } from './settings.js';
import { recordDecision } from './token.js';

const STATE = /^[A-Za-z]{2}$/;

function invalid(field: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.VALIDATION_FAILED, `policy input: ${field} ${message}`, [
    { field, message },
  ]);
}

/** The decision point fails closed on an input it cannot read. */
function checkInput(input: PolicyInput): void {
  if (!(CHANNELS as readonly string[]).includes(input.channel)) {
    throw invalid('channel', `must be one of ${CHANNELS.join(', ')}`);
  }
  for (const side of ['sender', 'recipient'] as const) {
    const party = input[side];
    if (typeof party?.authorityId !== 'string' || party.authorityId.length < 3) {
      throw invalid(`${side}.authorityId`, 'must be an authority id');
    }
    if (typeof party.state !== 'string' || !STATE.test(party.state)) {
      throw invalid(`${side}.state`, 'must be an ISO 3166-1 alpha-2 code');
    }
    if (!(AUTHORITY_KINDS as readonly string[]).includes(party.kind)) {
      throw invalid(`${side}.kind`, `must be one of ${AUTHORITY_KINDS.join(', ')}`);
    }
  }
  if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body)) {
    throw invalid('body', 'must be an object');
  }
  if (!(input.categories instanceof Set)) throw invalid('categories', 'must be a Set');
}

function senderMessageFor(
  id: string,
  text: string,
  severity: FindingSeverity,
  fields?: readonly string[],
) {
  switch (severity) {
    case 'block':
      return `Blocked by ${id}: ${text}`;
    case 'warn':
      return `Warning ${id}: ${text} A supervisor must acknowledge it with a written justification.`;
    case 'redact':
      return `${id}: ${fields?.length ? fields.join(', ') : 'fields'} redacted before sending.`;
    case 'note':
      return `${id}: noted.`;
  }
}

function blank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

function extraRuleApplies(rule: ExtraRule, context: RuleContext): boolean {
  const { when } = rule;
  const { input } = context;
  const any = <T>(values: readonly T[] | undefined, test: (value: T) => boolean) =>
    values === undefined || values.some(test);
  return (
    any(when.categories, (category) => context.categories.has(category)) &&
    any(when.recipientStates, (state) => context.recipientStates.has(state)) &&
    any(when.recipientKinds, (kind) => input.recipient.kind === kind) &&
    any(when.channels, (channel) => input.channel === channel) &&
    any(when.procedures, (procedure) => input.procedure === procedure) &&
    any(when.messageTypes, (type) => input.messageType === type) &&
    any(when.personRoles, (role) =>
      context.concerned.some(
        (person) =>
          person.named?.roles.includes(role) === true || (role === 'victim' && person.isVictim),
      ),
    )
  );
}

function builtInFindings(rule: PolicyRule, context: RuleContext) {
  const findings: PolicyFinding[] = [];
  const redactions: Redaction[] = [];
  for (const hit of rule.check(context)) {
    // Settings only tighten: a warning may become a block, nothing becomes weaker.
    const severity: FindingSeverity =
      hit.severity === 'warn' && context.settings.promoted.has(rule.id) ? 'block' : hit.severity;
    const fields = hit.fields ?? [];
    findings.push({
      ruleId: rule.id,
      severity,
      legalBasis: rule.description.legalBasis,
      explanation: hit.explanation,
      senderMessage:
        hit.senderMessage ?? senderMessageFor(rule.id, rule.description.text, severity, fields),
      ...(fields.length > 0 && { fields }),
    });
    if (severity === 'redact') {
      for (const redaction of hit.redactions ?? [])
        redactions.push({ ...redaction, ruleId: rule.id });
    }
  }
  return { findings, redactions };
}

/** Acknowledgement of a warning: a supervisor, a written justification, and for W-7 the sign-off. */
function validAcknowledgement(ack: Acknowledgement, context: RuleContext): boolean {
  if (blank(ack.justification) || blank(ack.supervisor)) return false;
  if (ack.ruleId === 'W-7') {
    return !blank(ack.asylumAuthoritySignOff) || !blank(context.input.facts.asylumAuthoritySignOff);
  }
  return true;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The policy decision point (domain.md 4): every rule of the table, and the settings' rules, on
 * one outgoing message. Pure: no I/O; the same input gives the same outcome and findings.
 */
export function evaluate(input: PolicyInput): PolicyDecision {
  checkInput(input);
  const context = buildContext(input);
  let findings: PolicyFinding[] = [];
  const redactions: Redaction[] = [];
  for (const rule of RULES) {
    const found = builtInFindings(rule, context);
    findings.push(...found.findings);
    redactions.push(...found.redactions);
  }
  for (const rule of context.settings.extraRules) {
    if (!extraRuleApplies(rule, context)) continue;
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      legalBasis: rule.legalBasis,
      explanation: rule.explanation,
      senderMessage: senderMessageFor(rule.id, rule.title, rule.severity),
    });
  }

  // Warnings a supervisor acknowledged are lifted; hard blocks never are.
  const acknowledgements: Acknowledgement[] = [];
  const offered = input.acknowledgements ?? [];
  findings = findings.map((finding) => {
    if (finding.severity !== 'warn') return finding;
    const ack = offered.find(
      (a) => a.ruleId === finding.ruleId && validAcknowledgement(a, context),
    );
    if (!ack) return finding;
    const recorded = { ...ack };
    if (!acknowledgements.some((a) => a.ruleId === ack.ruleId)) acknowledgements.push(recorded);
    return { ...finding, acknowledgement: recorded };
  });
  const blocked = new Set(findings.filter((f) => f.severity === 'block').map((f) => f.ruleId));
  for (const ack of offered) {
    if (!isHardBlock(ack.ruleId) && !blocked.has(ack.ruleId)) continue;
    findings.push({
      ruleId: ack.ruleId,
      severity: 'note',
      legalBasis: isHardBlock(ack.ruleId) ? RULES_CATALOGUE[ack.ruleId].legalBasis : [],
      explanation: `${ack.supervisor} offered an acknowledgement of ${ack.ruleId}: ignored, a block has no override`,
      senderMessage: `${ack.ruleId} is a block: it cannot be acknowledged or overridden.`,
    });
  }

  const pending = [
    ...new Set(
      findings.filter((f) => f.severity === 'warn' && !f.acknowledgement).map((f) => f.ruleId),
    ),
  ];
  const outcome: PolicyOutcome =
    blocked.size > 0
      ? 'block'
      : pending.length > 0
        ? 'warn'
        : redactions.length > 0
          ? 'allow-with-redactions'
          : 'allow';

  // A shielded State is never named to itself: "no onward transfer to NG" on a message that NG
  // receives would tell NG that someone in the case must be shielded from it (H-1).
  const shielded = [...shieldedStates(context.casePersons)].filter(
    (state) => !context.recipientStates.has(state),
  );
  const noOnwardTransferTo = [
    ...new Set([...shielded, ...(input.receivedHandling?.noOnwardTransferTo ?? []).map(stateCode)]),
  ].sort();
  const approvedBody = outcome === 'block' ? undefined : applyRedactions(input.body, redactions);

  const decision: PolicyDecision = deepFreeze({
    decisionId: randomUUID(),
    decidedAt: context.now.toISOString(),
    outcome,
    findings,
    redactions,
    requiredHandling: { noOnwardTransferTo },
    pendingAcknowledgements: pending,
    acknowledgements,
    ...(approvedBody !== undefined && { approvedBody }),
    settingsDigest: context.settings.digest,
  });
  recordDecision(decision, {
    decisionId: decision.decisionId,
    outcome,
    pending: pending.length,
    procedure: input.procedure,
    messageType: input.messageType,
    sender: input.sender.authorityId,
    recipient: input.recipient.authorityId,
    bodyDigest: approvedBody === undefined ? null : canonicalDigest(approvedBody),
    noOnwardTransferTo,
    attachments: (input.attachments ?? []).map((attachment) => attachment.sha256 ?? ''),
  });
  return decision;
}

/** The rule ids of a decision's findings of a given severity, in table order, once each. */
export function ruleIdsOf(decision: PolicyDecision, severity: FindingSeverity): string[] {
  return [
    ...new Set(decision.findings.filter((f) => f.severity === severity).map((f) => f.ruleId)),
  ];
}

/**
 * Positions of the sender's own attachments a rule's findings are about (`attachments[0] "x.pdf"`):
 * positions only, never names; none for H-1, which tells the sender nothing of why.
 */
function attachmentsNamed(decision: PolicyDecision, ruleId: string): { attachments?: number[] } {
  if (ruleId === 'H-1') return {};
  const positions = new Set<number>();
  for (const finding of decision.findings) {
    if (finding.ruleId !== ruleId) continue;
    for (const field of finding.fields ?? []) {
      const position = /^attachments\[(\d+)\]/.exec(field)?.[1];
      if (position !== undefined) positions.add(Number(position));
    }
  }
  return positions.size > 0 ? { attachments: [...positions].sort((a, b) => a - b) } : {};
}

/**
 * The error to answer a sender with, or undefined when the decision lets the message go:
 * POLICY_BLOCKED naming the blocking rules (when H-1 blocks, only `Blocked by H-1`: nothing else
 * may hint at why), or POLICY_ACKNOWLEDGEMENT_REQUIRED naming the warnings that wait.
 * Each rule names the positions of the sender's attachments it found something in (`attachments`).
 */
export function policyError(decision: PolicyDecision): GatewayError | undefined {
  if (decision.outcome === 'block') {
    const blocking = decision.findings.filter((f) => f.severity === 'block');
    const shown = blocking.some((f) => f.ruleId === 'H-1')
      ? blocking.filter((f) => f.ruleId === 'H-1')
      : blocking;
    const details: ErrorDetail[] = [];
    for (const finding of shown) {
      if (details.some((detail) => detail.rule === finding.ruleId)) continue;
      details.push({
        rule: finding.ruleId,
        message: finding.senderMessage,
        ...attachmentsNamed(decision, finding.ruleId),
      });
    }
    const rules = details.map((detail) => String(detail.rule));
    return new GatewayError(ErrorCode.POLICY_BLOCKED, `Blocked by ${rules.join(', ')}`, details);
  }
  if (decision.outcome === 'warn') {
    const details: ErrorDetail[] = decision.pendingAcknowledgements.map((ruleId) => ({
      rule: ruleId,
      message:
        decision.findings.find((f) => f.ruleId === ruleId && f.severity === 'warn')
          ?.senderMessage ?? ruleId,
      ...attachmentsNamed(decision, ruleId),
    }));
    return new GatewayError(
      ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED,
      `A supervisor must acknowledge ${decision.pendingAcknowledgements.join(', ')} with a written justification`,
      details,
    );
  }
  return undefined;
}

/** Throws the sender-facing error of a decision that does not let the message go. */
export function assertDecisionAllows(decision: PolicyDecision): void {
  const error = policyError(decision);
  if (error) throw error;
}

/** Handling conditions with the States the decision requires added. */
export function withRequiredHandling<H extends { noOnwardTransferTo: readonly string[] }>(
  handling: H,
  decision: PolicyDecision,
): H & { noOnwardTransferTo: string[] } {
  const states = new Set([
    ...handling.noOnwardTransferTo.map(stateCode),
    ...decision.requiredHandling.noOnwardTransferTo,
  ]);
  return { ...handling, noOnwardTransferTo: [...states].sort() };
}
