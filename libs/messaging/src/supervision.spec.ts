import fc from 'fast-check';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { PolicyDecision, PolicyFinding } from '#libs/policy';
import {
  awaitsSupervisor,
  checkDecider,
  checkJustifications,
  checkReason,
  isRefusal,
  MAX_SUPERVISOR_TEXT,
  SIGN_OFF,
  signOffOf,
  waitingWarnings,
} from './supervision.js';

const finding = (ruleId: string, severity: PolicyFinding['severity']): PolicyFinding => ({
  ruleId,
  severity,
  legalBasis: [`basis of ${ruleId}`],
  explanation: `${ruleId} found P1 named in body.summary`,
  senderMessage: `Warning ${ruleId}: a supervisor must acknowledge it`,
});

const decision = (
  outcome: PolicyDecision['outcome'],
  findings: PolicyFinding[],
  pending = findings.filter((f) => f.severity === 'warn').map((f) => f.ruleId),
): PolicyDecision => ({
  decisionId: `d-${findings.map((f) => f.ruleId).join('-')}`,
  decidedAt: '2026-12-05T10:00:00.000Z',
  outcome,
  findings,
  redactions: [],
  requiredHandling: { noOnwardTransferTo: [] },
  pendingAcknowledgements: pending,
  acknowledgements: [],
  settingsDigest: null,
});

const refusalOf = (error: unknown): GatewayError => {
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
};

const thrown = (run: () => unknown): GatewayError => {
  try {
    run();
  } catch (error) {
    return refusalOf(error);
  }
  throw new Error('expected a refusal');
};

describe('which refused submissions go to a supervisor', () => {
  it('those refused for warnings only, for every recipient', () => {
    expect(awaitsSupervisor([decision('warn', [finding('W-6', 'warn')])])).toBe(true);
    expect(
      awaitsSupervisor([
        decision('warn', [finding('W-2', 'warn')]),
        decision('warn', [finding('W-2', 'warn'), finding('W-6', 'warn')]),
      ]),
    ).toBe(true);
  });

  it('never one with a hard block, for any recipient: a block has no override', () => {
    expect(
      awaitsSupervisor([decision('block', [finding('H-1', 'block'), finding('W-6', 'warn')])]),
    ).toBe(false);
    expect(
      awaitsSupervisor([
        decision('warn', [finding('W-2', 'warn')]),
        decision('block', [finding('H-7', 'block')]),
      ]),
    ).toBe(false);
    expect(awaitsSupervisor([])).toBe(false);
  });

  it('whatever the mix of outcomes: exactly when every refusal is a warning waiting', () => {
    const outcome = fc.constantFrom<'warn' | 'block'>('warn', 'block');
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 6 }), (outcomes) => {
        const refusals = outcomes.map((o, i) =>
          decision(o, [finding(o === 'warn' ? `W-${i + 1}` : `H-${i + 1}`, o)]),
        );
        expect(awaitsSupervisor(refusals)).toBe(outcomes.every((o) => o === 'warn'));
      }),
    );
  });
});

describe('the warnings a supervisor reads', () => {
  it('lists each waiting warning once, with its legal bases and explanation, not notes or blocks', () => {
    const warnings = waitingWarnings([
      decision('warn', [finding('W-2', 'warn'), finding('HC-1', 'note')]),
      decision('warn', [finding('W-2', 'warn'), finding('W-6', 'warn')]),
    ]);
    expect(warnings).toEqual([
      { ruleId: 'W-2', legalBasis: ['basis of W-2'], text: 'W-2 found P1 named in body.summary' },
      { ruleId: 'W-6', legalBasis: ['basis of W-6'], text: 'W-6 found P1 named in body.summary' },
    ]);
  });

  it('says only what the sender may be told for a rule fed by a register hit', () => {
    const [warning] = waitingWarnings(
      [decision('warn', [finding('W-7', 'warn')])],
      new Set(['W-7']),
    );
    expect(warning.text).toBe('Warning W-7: a supervisor must acknowledge it');
  });

  it('leaves out a warning already acknowledged', () => {
    const acknowledged = {
      ...finding('W-3', 'warn'),
      acknowledgement: { ruleId: 'W-3', justification: 'need to know', supervisor: 's@FR' },
    };
    const warnings = waitingWarnings([
      decision('warn', [acknowledged, finding('W-6', 'warn')], ['W-6']),
    ]);
    expect(warnings.map((w) => w.ruleId)).toEqual(['W-6']);
  });
});

describe('a supervisor’s acknowledgement', () => {
  it('answers every waiting warning once, with a written justification (trimmed)', () => {
    expect(
      checkJustifications(
        ['W-2', 'W-6'],
        [
          { ruleId: 'W-6', justification: '  the person is not from NG  ' },
          { ruleId: 'W-2', justification: 'UNTOC 18(7) applies', asylumAuthoritySignOff: ' ' },
        ],
      ),
    ).toEqual([
      { ruleId: 'W-6', justification: 'the person is not from NG' },
      { ruleId: 'W-2', justification: 'UNTOC 18(7) applies' },
    ]);
  });

  it('keeps the asylum authority’s sign-off of W-7', () => {
    expect(
      checkJustifications(
        ['W-7'],
        [{ ruleId: 'W-7', justification: 'identification', asylumAuthoritySignOff: 'OFPRA-1' }],
      ),
    ).toEqual([
      { ruleId: 'W-7', justification: 'identification', asylumAuthoritySignOff: 'OFPRA-1' },
    ]);
  });

  it('is refused when a warning is left out, unknown, repeated, or its justification blank or too long', () => {
    const cases: Array<[string[], Array<{ ruleId: string; justification: string }>, string]> = [
      [['W-2', 'W-6'], [{ ruleId: 'W-2', justification: 'ok' }], 'acknowledgements'],
      [['W-2'], [{ ruleId: 'H-1', justification: 'ok' }], 'acknowledgements.0.ruleId'],
      [
        ['W-2'],
        [
          { ruleId: 'W-2', justification: 'ok' },
          { ruleId: 'W-2', justification: 'again' },
        ],
        'acknowledgements.1.ruleId',
      ],
      [['W-2'], [{ ruleId: 'W-2', justification: ' \n\t' }], 'acknowledgements.0.justification'],
      [
        ['W-2'],
        [{ ruleId: 'W-2', justification: 'x'.repeat(MAX_SUPERVISOR_TEXT + 1) }],
        'acknowledgements.0.justification',
      ],
    ];
    for (const [waiting, offered, field] of cases) {
      const refusal = thrown(() => checkJustifications(waiting, offered));
      expect(refusal.code).toBe(ErrorCode.VALIDATION_FAILED);
      expect(refusal.details[0].field).toBe(field);
    }
  });

  it('for any set of warnings: accepted exactly when each has one non-blank justification', () => {
    const rules = fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        rules,
        fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.string({ maxLength: 5 })), {
          maxLength: 6,
        }),
        (waitingIds, offeredPairs) => {
          const waiting = waitingIds.map((n) => `W-${n}`);
          const offered = offeredPairs.map(([n, justification]) => ({
            ruleId: `W-${n}`,
            justification,
          }));
          const ids = offered.map((o) => o.ruleId);
          const valid =
            new Set(ids).size === ids.length &&
            ids.every((id) => waiting.includes(id)) &&
            waiting.every((id) => ids.includes(id)) &&
            offered.every((o) => o.justification.trim().length > 0);
          let accepted = true;
          try {
            checkJustifications(waiting, offered);
          } catch (error) {
            expect(refusalOf(error).code).toBe(ErrorCode.VALIDATION_FAILED);
            accepted = false;
          }
          expect(accepted).toBe(valid);
        },
      ),
    );
  });
});

describe('a decline and who decides', () => {
  it('a decline gives a reason', () => {
    expect(checkReason('  not proportionate  ')).toBe('not proportionate');
    for (const reason of ['', '   ', undefined, 42, 'x'.repeat(MAX_SUPERVISOR_TEXT + 1)])
      expect(thrown(() => checkReason(reason)).details).toEqual([{ field: 'reason' }]);
  });

  it('nobody decides their own submission', () => {
    expect(() => checkDecider('a@FR-MOJ-BEPI', 'b@FR-MOJ-BEPI')).not.toThrow();
    expect(thrown(() => checkDecider('a@FR-MOJ-BEPI', 'a@FR-MOJ-BEPI')).code).toBe(
      ErrorCode.SEPARATION_OF_DUTIES,
    );
  });
});

describe('refusals a supervisor signs off', () => {
  it('are the refusals of MLA and asset requests, nothing else', () => {
    expect(isRefusal('mla', 'refusal')).toBe(true);
    expect(isRefusal('assets', 'refusal')).toBe(true);
    for (const [procedure, type] of [
      ['mla', 'postponement'],
      ['mla', 'request'],
      ['jit', 'refusal'],
      ['nationality-verification', 'answer'],
    ])
      expect(isRefusal(procedure, type)).toBe(false);
  });

  it('list the sign-off with its legal bases, answered like a warning', () => {
    const signOff = signOffOf('mla');
    expect(signOff.ruleId).toBe(SIGN_OFF);
    expect(signOff.legalBasis).toContain('UNTOC 18(23)');
    expect(
      checkJustifications([SIGN_OFF], [{ ruleId: SIGN_OFF, justification: 'checked' }]),
    ).toEqual([{ ruleId: SIGN_OFF, justification: 'checked' }]);
  });
});
