import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { HARD_BLOCK_IDS, WARNING_IDS } from './catalogue.js';
import { loadPolicySettings, parsePolicySettings } from './settings.js';

const CONFIG = resolve('config/policy');

function thrown(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const parse = (document: unknown, file = 'ro.json') => parsePolicySettings([{ file, document }]);

describe('the policy settings in config/policy', () => {
  it('load, and tighten nothing by default', () => {
    const settings = loadPolicySettings(CONFIG);
    expect(settings.entries).toEqual([
      { file: 'defaults.json', scope: { kind: 'all' }, rules: {}, extraRules: [] },
    ]);
    expect(settings.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the configuration guard', () => {
  const weakenings: [string, unknown][] = [
    ['downgraded to a warning', { severity: 'warn' }],
    ['downgraded to a note', { severity: 'note' }],
    ['allowed', { severity: 'allow' }],
    ['disabled', { enabled: false }],
    ['narrowed to some States', { exceptStates: ['RO'] }],
    ['narrowed to some procedures', { procedures: ['mla'] }],
    ['made acknowledgeable', { acknowledgeable: true }],
    ['overridden', { override: 'supervisor' }],
  ];

  it.each(
    HARD_BLOCK_IDS.flatMap((id) => weakenings.map(([how, setting]) => ({ id, how, setting }))),
  )('refuses $id $how, naming file, field and rule', ({ id, setting }) => {
    const error = thrown(() => parse({ scope: { state: 'RO' }, rules: { [id]: setting } }));
    expect(error.code).toBe(ErrorCode.POLICY_SETTINGS_INVALID);
    const field = `rules.${id}.${Object.keys(setting as object)[0]}`;
    expect(error.details).toEqual([
      { file: 'ro.json', field, rule: id, message: expect.stringContaining(id) as string },
    ]);
    expect(error.message).toContain('ro.json');
    expect(error.message).toContain(field);
  });

  it.each(WARNING_IDS.map((id) => ({ id })))('refuses to downgrade or disable $id', ({ id }) => {
    for (const setting of [{ severity: 'allow' }, { severity: 'note' }, { enabled: false }]) {
      const error = thrown(() => parse({ scope: 'all', rules: { [id]: setting } }));
      expect(error.code).toBe(ErrorCode.POLICY_SETTINGS_INVALID);
      expect(error.details[0]).toMatchObject({ file: 'ro.json', rule: id });
    }
  });

  it('accepts tightening: a warning as a block, a recent risk assessment, a hard block kept', () => {
    const settings = parse({
      scope: { agreement: 'WB-READMISSION' },
      rules: {
        'W-1': { severity: 'block' },
        'W-6': { severity: 'warn' },
        'H-1': { severity: 'block', enabled: true },
        'H-4': { riskAssessmentMaxAgeDays: 90 },
      },
    });
    expect(settings.entries[0]).toMatchObject({
      scope: { kind: 'agreement', agreementId: 'WB-READMISSION' },
      rules: {
        'W-1': { severity: 'block' },
        'H-1': { severity: 'block' },
        'H-4': { riskAssessmentMaxAgeDays: 90 },
      },
    });
  });

  it('rejects unknown rules, unknown fields, bad scopes and bad added rules, listing them all', () => {
    const error = thrown(() =>
      parse({
        scope: { country: 'RO' },
        rules: { 'W-8': { severity: 'block' }, 'W-2': { severity: 'block', colour: 'red' } },
        extraRules: [
          { id: 'H-11', title: 't', severity: 'block', legalBasis: ['x'], explanation: 'e' },
          {
            id: 'X-OK',
            title: 't',
            severity: 'allow',
            legalBasis: [],
            explanation: 'e',
            when: { categories: ['gossip'] },
          },
        ],
        extra: true,
      }),
    );
    expect(error.code).toBe(ErrorCode.POLICY_SETTINGS_INVALID);
    expect(error.details.map((d) => d.field)).toEqual([
      'extra',
      'scope',
      'rules.W-8',
      'rules.W-2.colour',
      'extraRules[0].id',
      'extraRules[1].severity',
      'extraRules[1].legalBasis',
      'extraRules[1].when.categories',
    ]);
  });

  it('rejects an added rule defined twice', () => {
    const rule = {
      id: 'X-NO-HEALTH',
      title: 'No health data',
      severity: 'block',
      legalBasis: ['Protocol art. 4'],
      explanation: 'e',
      when: { categories: ['health'] },
    };
    const error = thrown(() =>
      parsePolicySettings([
        { file: 'a.json', document: { scope: 'all', extraRules: [rule] } },
        { file: 'b.json', document: { scope: 'all', extraRules: [rule] } },
      ]),
    );
    expect(error.details).toEqual([
      {
        file: 'b.json',
        field: 'extraRules[0].id',
        rule: 'X-NO-HEALTH',
        message: 'X-NO-HEALTH is already defined in a.json',
      },
    ]);
  });

  it('stops start-up on a weakening file among good ones, and on unreadable JSON', () => {
    const folder = mkdtempSync(join(tmpdir(), 'policy-'));
    try {
      writeFileSync(join(folder, 'defaults.json'), JSON.stringify({ scope: 'all' }));
      writeFileSync(
        join(folder, 'ro.json'),
        JSON.stringify({ scope: { state: 'RO' }, rules: { 'H-1': { exceptStates: ['RO'] } } }),
      );
      const error = thrown(() => loadPolicySettings(folder));
      expect(error.code).toBe(ErrorCode.POLICY_SETTINGS_INVALID);
      expect(error.message).toContain('would weaken hard block H-1');
      writeFileSync(join(folder, 'ro.json'), '{ "scope": ');
      expect(thrown(() => loadPolicySettings(folder)).details[0]).toMatchObject({
        file: 'ro.json',
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    expect(thrown(() => loadPolicySettings(join(folder, 'missing'))).code).toBe(
      ErrorCode.POLICY_SETTINGS_INVALID,
    );
  });
});
