import type { PolicyDecision, PolicyFinding } from './decision.js';

export type ExplainAudience = 'legal-officer' | 'sender';

function findingLines(finding: PolicyFinding, audience: ExplainAudience): string[] {
  const head = `- ${finding.ruleId} [${finding.severity}]`;
  if (audience === 'sender') {
    // The sender learns the rule and its public message; H-1 says nothing of why, not even its sources.
    const lines = [`${head} ${finding.senderMessage}`];
    if (finding.ruleId !== 'H-1') lines.push(`  Legal basis: ${finding.legalBasis.join('; ')}`);
    return lines;
  }
  const lines = [
    `${head} ${finding.explanation}`,
    `  Legal basis: ${finding.legalBasis.join('; ')}`,
    `  Sender is told: ${finding.senderMessage}`,
  ];
  if (finding.fields?.length) lines.push(`  Fields: ${finding.fields.join(', ')}`);
  if (finding.acknowledgement) {
    lines.push(
      `  Acknowledged by ${finding.acknowledgement.supervisor}: ${finding.acknowledgement.justification}`,
    );
  }
  return lines;
}

/**
 * A human-readable rendering of a decision: the outcome, then each finding with its rule id,
 * legal basis and explanation. `legal-officer` (default) shows everything, for the explain
 * endpoint and the audit; `sender` shows only what the sender may be told (when H-1 blocks, only
 * that line).
 */
export function explain(decision: PolicyDecision, audience: ExplainAudience = 'legal-officer') {
  const h1Blocks = decision.findings.some((f) => f.ruleId === 'H-1' && f.severity === 'block');
  const findings =
    audience === 'sender'
      ? decision.findings.filter((f) =>
          h1Blocks ? f.ruleId === 'H-1' && f.severity === 'block' : f.ruleId !== 'H-1',
        )
      : decision.findings;
  const lines = [`Policy decision ${decision.decisionId}: ${decision.outcome}`];
  if (audience === 'legal-officer') {
    lines.push(`Decided at ${decision.decidedAt}; settings ${decision.settingsDigest ?? 'none'}`);
  }
  if (findings.length === 0) lines.push('No rule applies.');
  for (const finding of findings) lines.push(...findingLines(finding, audience));
  if (decision.pendingAcknowledgements.length > 0 && !h1Blocks) {
    lines.push(`Waiting for acknowledgement: ${decision.pendingAcknowledgements.join(', ')}`);
  }
  if (audience === 'legal-officer') {
    for (const redaction of decision.redactions) {
      lines.push(`Redacted (${redaction.ruleId}, ${redaction.action}): ${redaction.path}`);
    }
    if (decision.requiredHandling.noOnwardTransferTo.length > 0) {
      lines.push(
        `Handling: no onward transfer to ${decision.requiredHandling.noOnwardTransferTo.join(', ')}`,
      );
    }
  }
  return lines.join('\n');
}
