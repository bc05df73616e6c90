import { resolve } from 'node:path';
import { readJsonFolder, type Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import type { DataCategory } from '#libs/procedures';
import { isHardBlock, isRuleId, isWarning, type RuleId } from './catalogue.js';
import { canonicalDigest } from './digest.js';
import {
  AUTHORITY_KINDS,
  CHANNELS,
  POLICY_CATEGORIES,
  type AuthorityKind,
  type Channel,
} from './input.js';

/*
 * Per-State and per-agreement settings (config/policy/*.json). They may add rules and tighten the
 * built-in ones: a warning may become a block, H-4 may require a recent risk assessment. Nothing
 * can disable, downgrade, narrow or override a hard block, nor downgrade a warning: a file that
 * tries is rejected at start-up (POLICY_SETTINGS_INVALID, naming file, field and rule). The engine
 * also only ever takes the stricter of a setting and a built-in rule.
 */

/** `all`, the authorities of one State (recipient), or the cases under one agreement. */
export type SettingsScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'state'; readonly state: string }
  | { readonly kind: 'agreement'; readonly agreementId: string };

export interface RuleSetting {
  /** For a warning: `block` makes it a hard block in the scope. For a hard block: only `block`. */
  readonly severity?: 'block' | 'warn';
  /** H-4: the risk assessment must be at most this many days old. */
  readonly riskAssessmentMaxAgeDays?: number;
}

/** Conditions of an added rule: every condition given must hold (each list: any of its values). */
export interface ExtraRuleCondition {
  readonly categories?: readonly DataCategory[];
  readonly recipientStates?: readonly string[];
  readonly recipientKinds?: readonly AuthorityKind[];
  readonly channels?: readonly Channel[];
  readonly procedures?: readonly Procedure[];
  readonly messageTypes?: readonly string[];
  readonly personRoles?: readonly string[];
}

export interface ExtraRule {
  readonly id: string;
  readonly title: string;
  readonly severity: 'block' | 'warn';
  readonly legalBasis: readonly string[];
  readonly explanation: string;
  readonly when: ExtraRuleCondition;
}

export interface SettingsEntry {
  readonly file: string;
  readonly scope: SettingsScope;
  readonly rules: Readonly<Partial<Record<RuleId, RuleSetting>>>;
  readonly extraRules: readonly ExtraRule[];
}

export interface PolicySettings {
  readonly entries: readonly SettingsEntry[];
  /** SHA-256 of the canonical documents, for the start-up audit entry and every decision. */
  readonly digest: string;
}

export interface SettingsDocument {
  /** The file (or any label) the document comes from: errors name it. */
  readonly file: string;
  readonly document: unknown;
}

const PROCEDURE_NAMES = [
  'mla',
  'jit',
  'nationality-verification',
  'assets',
] as const satisfies readonly Procedure[];
const PERSON_ROLE_NAMES = ['victim', 'witness', 'suspect', 'child', 'age-uncertain'];
const STATE = /^[A-Z]{2}$/;
const MESSAGE_TYPE = /^[a-z][a-z0-9-]{1,63}$/;
const EXTRA_RULE_ID = /^X-[A-Z0-9][A-Z0-9-]{0,40}$/;
const AGREEMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
const MAX_TEXT = 2000;
const MAX_AGE_DAYS = 3650;

/** Keys that would narrow a rule's reach or let it be overridden. */
const NARROWING_KEYS = [
  'enabled',
  'disabled',
  'except',
  'exceptStates',
  'exceptProcedures',
  'exceptChannels',
  'exceptMessageTypes',
  'exceptRecipientKinds',
  'states',
  'procedures',
  'channels',
  'messageTypes',
  'recipientKinds',
  'acknowledgeable',
  'override',
  'allowOverride',
  'exemptions',
];

interface Problem extends ErrorDetail {
  file: string;
  field: string;
  message: string;
}

type Report = (field: string, message: string, rule?: string) => void;
type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readText(value: unknown, field: string, report: Report): string | undefined {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    report(field, `must be a non-empty string of at most ${MAX_TEXT} characters`);
    return undefined;
  }
  return value;
}

function readList<T extends string>(
  value: unknown,
  field: string,
  report: Report,
  accept: (item: string) => boolean,
  expected: string,
): T[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report(field, `must be a non-empty list of ${expected}`);
    return undefined;
  }
  const items = value as unknown[];
  const bad = items.filter((item) => typeof item !== 'string' || !accept(item));
  if (bad.length > 0) {
    report(field, `must be a list of ${expected} (not ${bad.map(String).join(', ')})`);
    return undefined;
  }
  return items as T[];
}

function oneOf(allowed: readonly string[]): (item: string) => boolean {
  return (item) => allowed.includes(item);
}

function readScope(value: unknown, report: Report): SettingsScope | undefined {
  if (value === 'all') return { kind: 'all' };
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof value.state === 'string' && STATE.test(value.state)) {
      return { kind: 'state', state: value.state };
    }
    if (
      keys.length === 1 &&
      typeof value.agreement === 'string' &&
      AGREEMENT_ID.test(value.agreement)
    ) {
      return { kind: 'agreement', agreementId: value.agreement };
    }
  }
  report(
    'scope',
    'must be "all", { "state": "<ISO 3166-1 alpha-2>" } or { "agreement": "<agreement id>" }',
  );
  return undefined;
}

function readRuleSetting(
  ruleId: RuleId,
  value: unknown,
  path: string,
  report: Report,
): RuleSetting | undefined {
  const hard = isHardBlock(ruleId);
  if (!isObject(value)) {
    report(path, 'must be an object', ruleId);
    return undefined;
  }
  let severity: RuleSetting['severity'];
  let riskAssessmentMaxAgeDays: number | undefined;
  for (const [key, raw] of Object.entries(value)) {
    const field = `${path}.${key}`;
    if (key === '$comment') continue;
    if (key === 'severity') {
      if (hard && raw !== 'block') {
        report(
          field,
          `would weaken hard block ${ruleId}: a hard block stays "block" (got ${JSON.stringify(raw)})`,
          ruleId,
        );
      } else if (!hard && raw !== 'warn' && raw !== 'block') {
        report(
          field,
          `would downgrade warning ${ruleId}: a warning is "warn" or, tightened, "block" (got ${JSON.stringify(raw)})`,
          ruleId,
        );
      } else if (raw === 'warn' || raw === 'block') {
        severity = raw;
      }
      continue;
    }
    if (key === 'riskAssessmentMaxAgeDays' && ruleId === 'H-4') {
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_AGE_DAYS) {
        report(field, `must be a whole number of days from 1 to ${MAX_AGE_DAYS}`, ruleId);
      } else {
        riskAssessmentMaxAgeDays = raw;
      }
      continue;
    }
    if (key === 'enabled' && raw === true) continue;
    if (hard) {
      report(
        field,
        `would weaken hard block ${ruleId}: a hard block cannot be disabled, downgraded, narrowed or overridden`,
        ruleId,
      );
    } else if (NARROWING_KEYS.includes(key)) {
      report(field, `would narrow or disable warning ${ruleId}: settings only tighten`, ruleId);
    } else {
      report(field, 'is not a known field', ruleId);
    }
  }
  return {
    ...(severity !== undefined && { severity }),
    ...(riskAssessmentMaxAgeDays !== undefined && { riskAssessmentMaxAgeDays }),
  };
}

function readRules(value: unknown, report: Report): Partial<Record<RuleId, RuleSetting>> {
  const rules: Partial<Record<RuleId, RuleSetting>> = {};
  if (value === undefined) return rules;
  if (!isObject(value)) {
    report('rules', 'must be an object keyed by rule id');
    return rules;
  }
  for (const [id, raw] of Object.entries(value)) {
    if (id === '$comment') continue;
    if (!isRuleId(id)) {
      report(
        `rules.${id}`,
        'is not a rule of domain.md section 4 (add rules under extraRules)',
        id,
      );
      continue;
    }
    const setting = readRuleSetting(id, raw, `rules.${id}`, report);
    if (setting) rules[id] = setting;
  }
  return rules;
}

const CONDITION_READERS: Record<
  keyof ExtraRuleCondition,
  { accept: (item: string) => boolean; expected: string }
> = {
  categories: { accept: oneOf(POLICY_CATEGORIES), expected: 'data categories' },
  recipientStates: { accept: (item) => STATE.test(item), expected: 'ISO 3166-1 alpha-2 codes' },
  recipientKinds: { accept: oneOf(AUTHORITY_KINDS), expected: 'authority kinds' },
  channels: { accept: oneOf(CHANNELS), expected: 'channels' },
  procedures: { accept: oneOf(PROCEDURE_NAMES), expected: 'procedures' },
  messageTypes: { accept: (item) => MESSAGE_TYPE.test(item), expected: 'message types' },
  personRoles: { accept: oneOf(PERSON_ROLE_NAMES), expected: 'person roles' },
};

function readCondition(value: unknown, path: string, report: Report): ExtraRuleCondition {
  if (!isObject(value)) {
    report(path, 'must be an object of conditions');
    return {};
  }
  const condition: Record<string, string[]> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (key === '$comment') continue;
    const reader = Object.hasOwn(CONDITION_READERS, key)
      ? CONDITION_READERS[key as keyof ExtraRuleCondition]
      : undefined;
    if (!reader) {
      report(`${path}.${key}`, 'is not a known condition');
      continue;
    }
    const list = readList(raw, `${path}.${key}`, report, reader.accept, reader.expected);
    if (list) condition[key] = list;
  }
  return condition;
}

function readExtraRule(
  value: unknown,
  path: string,
  report: Report,
  taken: Map<string, string>,
  file: string,
): ExtraRule | undefined {
  if (!isObject(value)) {
    report(path, 'must be an object');
    return undefined;
  }
  const known = ['$comment', 'id', 'title', 'severity', 'legalBasis', 'explanation', 'when'];
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) report(`${path}.${key}`, 'is not a known field');
  }
  const id = typeof value.id === 'string' ? value.id : undefined;
  if (id === undefined || !EXTRA_RULE_ID.test(id)) {
    report(
      `${path}.id`,
      `must match ${EXTRA_RULE_ID.source} (added rules never reuse domain.md ids)`,
    );
    return undefined;
  }
  const earlier = taken.get(id);
  if (earlier !== undefined) {
    report(`${path}.id`, `${id} is already defined in ${earlier}`, id);
    return undefined;
  }
  taken.set(id, file);
  const title = readText(value.title, `${path}.title`, report);
  const explanation = readText(value.explanation, `${path}.explanation`, report);
  const severity = value.severity;
  if (severity !== 'block' && severity !== 'warn') {
    report(`${path}.severity`, 'must be "block" or "warn"', id);
  }
  const legalBasis = readList<string>(
    value.legalBasis,
    `${path}.legalBasis`,
    report,
    (item) => item.trim() !== '' && item.length <= MAX_TEXT,
    'sources (non-empty strings)',
  );
  const when = readCondition(value.when ?? {}, `${path}.when`, report);
  if (
    title === undefined ||
    explanation === undefined ||
    legalBasis === undefined ||
    (severity !== 'block' && severity !== 'warn')
  ) {
    return undefined;
  }
  return { id, title, severity, legalBasis, explanation, when };
}

/**
 * Validates settings documents (one per file). Throws POLICY_SETTINGS_INVALID listing every
 * problem, each with its file, field and rule.
 */
export function parsePolicySettings(documents: readonly SettingsDocument[]): PolicySettings {
  const problems: Problem[] = [];
  const entries: SettingsEntry[] = [];
  const extraIds = new Map<string, string>();
  for (const { file, document } of documents) {
    const report: Report = (field, message, rule) =>
      problems.push({ file, field, message, ...(rule !== undefined && { rule }) });
    if (!isObject(document)) {
      report(
        '$',
        'the file must hold an object { "scope": ..., "rules": {...}, "extraRules": [...] }',
      );
      continue;
    }
    for (const key of Object.keys(document)) {
      if (!['$comment', 'scope', 'rules', 'extraRules'].includes(key)) {
        report(key, 'is not a known field');
      }
    }
    const scope = readScope(document.scope, report);
    const rules = readRules(document.rules, report);
    const extraRules: ExtraRule[] = [];
    if (document.extraRules !== undefined) {
      if (!Array.isArray(document.extraRules)) {
        report('extraRules', 'must be a list of rules');
      } else {
        (document.extraRules as unknown[]).forEach((raw, index) => {
          const rule = readExtraRule(raw, `extraRules[${index}]`, report, extraIds, file);
          if (rule) extraRules.push(rule);
        });
      }
    }
    if (scope) entries.push({ file, scope, rules, extraRules });
  }
  if (problems.length > 0) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new GatewayError(
      ErrorCode.POLICY_SETTINGS_INVALID,
      `policy settings rejected: ${first.file} ${first.field}: ${first.message}${more}`,
      problems,
    );
  }
  return {
    entries,
    digest: canonicalDigest(documents.map(({ file, document }) => ({ file, document }))),
  };
}

/** Reads and validates `folder/*.json` (config/policy). Throws POLICY_SETTINGS_INVALID. */
export function loadPolicySettings(folder: string): PolicySettings {
  const root = resolve(folder);
  const files = readJsonFolder(root);
  if (!files) {
    throw new GatewayError(
      ErrorCode.POLICY_SETTINGS_INVALID,
      `policy settings folder ${root} cannot be read`,
      [{ file: root }],
    );
  }
  const documents: SettingsDocument[] = [];
  const problems: ErrorDetail[] = [];
  for (const { name, document, problem } of files) {
    if (problem === undefined) documents.push({ file: name, document });
    else problems.push({ file: name, message: problem });
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.POLICY_SETTINGS_INVALID,
      `policy settings rejected: ${String(problems[0].file)} ${String(problems[0].message)}`,
      problems,
    );
  }
  return parsePolicySettings(documents);
}

/** What the settings in scope add to the built-in rules for one message. */
export interface EffectiveSettings {
  /** Warnings that are hard blocks in this scope. */
  readonly promoted: ReadonlySet<RuleId>;
  readonly riskAssessmentMaxAgeDays?: number;
  readonly extraRules: readonly ExtraRule[];
  readonly digest: string | null;
}

export function effectiveSettings(
  settings: PolicySettings | undefined,
  recipientStates: ReadonlySet<string>,
  agreementIds: ReadonlySet<string>,
): EffectiveSettings {
  const promoted = new Set<RuleId>();
  let maxAge: number | undefined;
  const extraRules: ExtraRule[] = [];
  for (const entry of settings?.entries ?? []) {
    const { scope } = entry;
    const inScope =
      scope.kind === 'all' ||
      (scope.kind === 'state' && recipientStates.has(scope.state)) ||
      (scope.kind === 'agreement' && agreementIds.has(scope.agreementId));
    if (!inScope) continue;
    for (const [id, setting] of Object.entries(entry.rules) as [RuleId, RuleSetting][]) {
      // Only tightening is read: a warning may become a block; nothing becomes weaker.
      if (isWarning(id) && setting.severity === 'block') promoted.add(id);
      const days = setting.riskAssessmentMaxAgeDays;
      if (id === 'H-4' && days !== undefined) maxAge = Math.min(maxAge ?? days, days);
    }
    extraRules.push(...entry.extraRules);
  }
  return {
    promoted,
    ...(maxAge !== undefined && { riskAssessmentMaxAgeDays: maxAge }),
    extraRules,
    digest: settings?.digest ?? null,
  };
}
