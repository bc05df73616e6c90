import { ErrorCode, GatewayError } from '#libs/errors';
import { DATA_CATEGORIES, validateMessageBody } from '#libs/procedures';
import { RULE_IDS, RULES_CATALOGUE } from './catalogue.js';
import {
  assertDecisionAllows,
  evaluate,
  policyError,
  ruleIdsOf,
  withRequiredHandling,
} from './engine.js';
import { explain } from './explain.js';
import {
  DE_CENTRAL,
  FR_CENTRAL,
  FR_REPATRIATION,
  message,
  mlaRequest,
  person,
  RO_CENTRAL,
  RO_EMBASSY,
  RO_REPATRIATION,
  safeVerification,
  verificationRequest,
} from './fixtures.js';
import type { PersonFacts } from './facts.js';
import { POLICY_CATEGORIES, type PolicyInput } from './input.js';
import { personsIn } from './persons.js';
import { RULES } from './rules/index.js';
import { parsePolicySettings } from './settings.js';

function thrown(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('the rule table', () => {
  it('holds one rule per id of domain.md section 4, in order, each with its sources', () => {
    expect(RULES.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    for (const rule of RULES) {
      expect(rule.description).toBe(RULES_CATALOGUE[rule.id]);
      expect(rule.description.legalBasis.length).toBeGreaterThan(0);
      expect(rule.appliesTo.length).toBeGreaterThan(3);
    }
  });

  it('knows the same data categories as the procedures library', () => {
    expect([...POLICY_CATEGORIES].sort()).toEqual([...DATA_CATEGORIES].sort());
  });
});

describe('a routine nationality verification goes without friction', () => {
  /**
   * What the case of an ordinary return records: a legal basis, a risk assessment that found no
   * risk, the person's wish to return, and protective measures for their identity abroad. The
   * officer records the case's subject, not a position in a message body.
   */
  const recordedSubject: PersonFacts = {
    subjectOfCase: true,
    label: 'V-12',
    countryOfOrigin: 'RO',
    nationalities: ['RO'],
    victim: true,
    riskAssessment: { done: true, at: '2026-02-20', outcome: 'no-risk', reference: 'RA-12' },
    returnVoluntary: true,
    identityProtectiveMeasures: 'PM-12',
  };
  const routine = (
    subject: PersonFacts,
    body = verificationRequest({}, { agreementId: undefined }),
  ) =>
    message('nationality-verification', 'verification-request', body, {
      sender: FR_REPATRIATION,
      recipient: RO_REPATRIATION,
      facts: { legalBasisRecorded: true, persons: [subject] },
    });

  it.each([
    ['the case subject', recordedSubject],
    ['the person at position 0', { ...recordedSubject, personIndex: 0 }],
  ])('allows the verification request for %s with no acknowledgement at all', (_, subject) => {
    const decision = evaluate(routine(subject));
    expect(decision.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    expect(decision).toMatchObject({
      outcome: 'allow',
      pendingAcknowledgements: [],
      acknowledgements: [],
    });
    expect(policyError(decision)).toBeUndefined();
  });

  it('allows the travel-document request that follows it', () => {
    const decision = evaluate(
      message(
        'nationality-verification',
        'travel-document-request',
        { documentType: 'emergency-travel-document' },
        {
          sender: FR_REPATRIATION,
          recipient: RO_REPATRIATION,
          facts: { legalBasisRecorded: true, persons: [recordedSubject] },
        },
      ),
    );
    expect(decision.outcome).toBe('allow');
    expect(decision.pendingAcknowledgements).toEqual([]);
  });

  it('still checks the recorded subject: without the risk assessment, H-4 blocks', () => {
    const decision = evaluate(routine({ ...recordedSubject, riskAssessment: undefined }));
    expect(decision.outcome).toBe('block');
    expect(ruleIdsOf(decision, 'block')).toEqual(['H-4']);
  });

  it('reads two unplaced case subjects as two persons (the one verified has no facts)', () => {
    const decision = evaluate({
      ...routine(recordedSubject),
      facts: {
        legalBasisRecorded: true,
        persons: [recordedSubject, { ...recordedSubject, label: 'V-13' }],
      },
    });
    expect(decision.outcome).toBe('block');
    expect(decision.findings.find((f) => f.ruleId === 'H-4')?.explanation).toMatch(
      /the person to verify/,
    );
  });
});

describe('outcomes', () => {
  it('allows a clean message, with no findings', () => {
    const decision = evaluate(message('mla', 'request', mlaRequest()));
    expect(decision).toMatchObject({
      outcome: 'allow',
      findings: [],
      redactions: [],
      pendingAcknowledgements: [],
      requiredHandling: { noOnwardTransferTo: [] },
    });
    expect(policyError(decision)).toBeUndefined();
    expect(explain(decision)).toContain('No rule applies.');
  });

  it('redacts, and the redacted body still satisfies its schema', () => {
    const body = mlaRequest([
      person({
        lastKnownLocation: 'Shelter, Paris 11e',
        placeOfBirth: 'Iasi',
        documents: [{ kind: 'passport', number: '05123456', issuingState: 'RO' }],
        health: { information: 'HIV positive', consentReference: 'C-1' },
        familyMembers: [{ relationship: 'parent', names: { familyNames: ['Popescu'] } }],
      }),
      person({ reference: 'P2', names: { familyNames: ['Dinu'] }, roles: ['suspect'] }),
    ]);
    const decision = evaluate(message('mla', 'request', body));
    expect(decision.outcome).toBe('allow-with-redactions');
    expect(decision.redactions.map((r) => `${r.ruleId} ${r.action} ${r.path}`)).toEqual([
      'H-2 remove body.persons.0.lastKnownLocation',
      'H-10 remove body.persons.0.health',
      'W-3 pseudonymise body.persons.0.names',
      'W-3 remove body.persons.0.dateOfBirth',
      'W-3 remove body.persons.0.placeOfBirth',
      'W-3 remove body.persons.0.documents',
      'W-3 remove body.persons.0.familyMembers',
    ]);
    const approved = decision.approvedBody as { persons: Record<string, unknown>[] };
    expect(approved.persons[0]).toEqual({
      reference: 'P1',
      names: { aliases: ['Victim P1'] },
      nationalities: ['RO'],
      roles: ['victim'],
    });
    expect(approved.persons[1]).toEqual(body.persons && (body.persons as unknown[])[1]);
    expect(() => validateMessageBody('mla', 'request', approved)).not.toThrow();
    // The input is not touched.
    expect((body.persons as Record<string, unknown>[])[0].lastKnownLocation).toBe(
      'Shelter, Paris 11e',
    );
  });

  it('waits for a supervisor, then allows with the acknowledgement recorded', () => {
    const input = safeVerification({ returnVoluntary: false });
    const waiting = evaluate(input);
    expect(waiting.outcome).toBe('warn');
    expect(waiting.pendingAcknowledgements).toEqual(['W-1']);
    const error = policyError(waiting);
    expect(error?.code).toBe(ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED);
    expect(error?.details).toEqual([
      { rule: 'W-1', message: expect.stringContaining('W-1') as string },
    ]);

    const blankJustification = evaluate({
      ...input,
      acknowledgements: [{ ruleId: 'W-1', justification: '   ', supervisor: 'sup.martin' }],
    });
    expect(blankJustification.outcome).toBe('warn');

    const ack = {
      ruleId: 'W-1',
      justification: 'Removal ordered by the court; the escort and reception are arranged.',
      supervisor: 'sup.martin',
    };
    const acknowledged = evaluate({ ...input, acknowledgements: [ack] });
    expect(acknowledged.outcome).toBe('allow');
    expect(acknowledged.pendingAcknowledgements).toEqual([]);
    expect(acknowledged.acknowledgements).toEqual([ack]);
    expect(acknowledged.findings.find((f) => f.ruleId === 'W-1')?.acknowledgement).toEqual(ack);
    // The justification is audited, and travels nowhere.
    expect(JSON.stringify(acknowledged.approvedBody)).not.toContain('escort');
    expect(explain(acknowledged)).toContain('Acknowledged by sup.martin');
  });

  it('lifts W-7 only with the asylum authority sign-off', () => {
    const input = message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
      recipient: RO_EMBASSY,
      facts: {
        persons: [
          { label: 'V-9', nationalities: ['SY'], asylum: { status: 'pending', shieldFrom: [] } },
        ],
      },
    });
    const ack = { ruleId: 'W-7', justification: 'Identification needed', supervisor: 'sup.martin' };
    expect(evaluate({ ...input, acknowledgements: [ack] }).outcome).toBe('warn');
    expect(
      evaluate({ ...input, acknowledgements: [{ ...ack, asylumAuthoritySignOff: 'OFPRA-118' }] })
        .outcome,
    ).toBe('allow');
  });

  it('never lets a hard block be acknowledged', () => {
    const input = safeVerification({ riskAssessment: undefined });
    const decision = evaluate({
      ...input,
      acknowledgements: [
        { ruleId: 'H-4', justification: 'Urgent removal', supervisor: 'sup.martin' },
      ],
    });
    expect(decision.outcome).toBe('block');
    expect(decision.acknowledgements).toEqual([]);
    expect(decision.findings.find((f) => f.ruleId === 'H-4' && f.severity === 'note')).toBeTruthy();
    expect(decision.approvedBody).toBeUndefined();
    const error = thrown(() => assertDecisionAllows(decision));
    expect(error.code).toBe(ErrorCode.POLICY_BLOCKED);
    expect(error.details).toEqual([
      { rule: 'H-4', message: expect.stringContaining('H-4') as string },
    ]);
  });

  it('answers a sender blocked by H-1 with H-1 alone, whatever else blocks', () => {
    const decision = evaluate(
      safeVerification({
        asylum: { status: 'pending', shieldFrom: [] },
        riskAssessment: undefined,
      }),
    );
    expect(decision.findings.filter((f) => f.severity === 'block').map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['H-1', 'H-4']),
    );
    const error = policyError(decision);
    expect(error?.code).toBe(ErrorCode.POLICY_BLOCKED);
    expect(error?.message).toBe('Blocked by H-1');
    expect(error?.details).toEqual([{ rule: 'H-1', message: 'Blocked by H-1' }]);
    const forSender = explain(decision, 'sender');
    expect(forSender).toContain('Blocked by H-1');
    expect(forSender).not.toMatch(/asylum|claim|H-4|Legal basis/i);
    expect(explain(decision)).toMatch(/asylum claim/);
  });

  it('adds the shielded States to the handling conditions, and keeps received ones', () => {
    const decision = evaluate(
      message('mla', 'request', mlaRequest([person({ roles: ['witness'] })]), {
        recipient: DE_CENTRAL,
        channel: 'onward-transfer',
        receivedHandling: { noOnwardTransferTo: ['al'] },
        facts: {
          persons: [{ personKey: 'P1', asylum: { status: 'granted', shieldFrom: ['UA'] } }],
        },
      }),
    );
    expect(decision.outcome).toBe('allow');
    expect(decision.requiredHandling.noOnwardTransferTo).toEqual(['AL', 'RO', 'UA']);
    expect(
      withRequiredHandling(
        { permittedPurpose: 'x', confidential: true, noOnwardTransferTo: ['FR'] },
        decision,
      ),
    ).toEqual({
      permittedPurpose: 'x',
      confidential: true,
      noOnwardTransferTo: ['AL', 'FR', 'RO', 'UA'],
    });
  });

  it('fails closed on an input it cannot read', () => {
    const input = message('mla', 'request', mlaRequest());
    const broken = [
      { ...input, channel: 'carrier-pigeon' },
      { ...input, recipient: { ...RO_CENTRAL, state: 'Romania' } },
      { ...input, sender: { ...FR_CENTRAL, kind: 'friend' } },
      { ...input, categories: ['asylum-protection'] },
      { ...input, body: null },
    ] as unknown as PolicyInput[];
    for (const candidate of broken) {
      expect(thrown(() => evaluate(candidate)).code).toBe(ErrorCode.VALIDATION_FAILED);
    }
  });

  it('freezes its decisions', () => {
    const decision = evaluate(message('mla', 'request', mlaRequest([person()])));
    expect(Object.isFrozen(decision)).toBe(true);
    expect(Object.isFrozen(decision.findings[0])).toBe(true);
    expect(Object.isFrozen(decision.approvedBody)).toBe(true);
  });

  it('orders persons for register hits: persons, the verification subject, then family', () => {
    const persons = personsIn({
      persons: [
        person({ familyMembers: [{ relationship: 'sibling', names: { familyNames: ['A'] } }] }),
        person({ reference: 'P2' }),
      ],
    });
    expect(persons.map((p) => `${p.index} ${p.kind} ${p.path}`)).toEqual([
      '0 person body.persons.0',
      '1 person body.persons.1',
      '2 family-member body.persons.0.familyMembers.0',
    ]);
  });

  it('treats a register hit on a family member like any other', () => {
    const decision = evaluate(
      message(
        'mla',
        'request',
        mlaRequest([
          person({
            roles: ['witness'],
            nationalities: ['DE'],
            familyMembers: [{ relationship: 'sibling', names: { familyNames: ['Popescu'] } }],
          }),
        ]),
        { recipient: RO_CENTRAL, registerHits: [{ personIndex: 1, shieldFrom: ['RO'] }] },
      ),
    );
    expect(decision.outcome).toBe('block');
  });
});

describe('settings in the engine', () => {
  const settings = parsePolicySettings([
    { file: 'defaults.json', document: { scope: 'all', rules: { 'W-2': { severity: 'block' } } } },
    {
      file: 'ro.json',
      document: {
        scope: { state: 'RO' },
        rules: { 'H-4': { riskAssessmentMaxAgeDays: 7 } },
        extraRules: [
          {
            id: 'X-RO-HEALTH',
            title: 'No health data to Romanian authorities',
            severity: 'block',
            legalBasis: ['FR-RO protocol 2019, art. 4'],
            explanation: 'The protocol excludes health data.',
            when: { categories: ['health'] },
          },
        ],
      },
    },
    {
      file: 'wb.json',
      document: { scope: { agreement: 'WB-READMISSION' }, rules: { 'W-1': { severity: 'block' } } },
    },
  ]);

  it('turns a warning into a block, which no acknowledgement lifts', () => {
    const decision = evaluate({
      ...message('mla', 'request', mlaRequest([], { legalBasis: undefined })),
      settings,
      acknowledgements: [{ ruleId: 'W-2', justification: 'Urgent', supervisor: 'sup.martin' }],
    });
    expect(decision.outcome).toBe('block');
    expect(decision.findings.find((f) => f.ruleId === 'W-2')?.severity).toBe('block');
    expect(decision.settingsDigest).toBe(settings.digest);
  });

  it('applies per-State settings to that State only', () => {
    const toRomania = safeVerification({}, { settings });
    const old = evaluate(toRomania);
    expect(old.outcome).toBe('block');
    expect(old.findings.find((f) => f.ruleId === 'H-4')?.explanation).toMatch(/older than 7 days/);
    const toGermany = safeVerification({}, { settings, recipient: DE_CENTRAL });
    expect(evaluate(toGermany).findings.some((f) => f.ruleId === 'H-4')).toBe(false);
  });

  it('adds rules, with their legal basis', () => {
    const decision = evaluate({
      ...message(
        'mla',
        'request',
        mlaRequest([person({ health: { information: 'x', consentReference: 'C-1' } })]),
      ),
      recipient: RO_CENTRAL,
      settings,
    });
    expect(decision.findings.find((f) => f.ruleId === 'X-RO-HEALTH')).toMatchObject({
      severity: 'block',
      legalBasis: ['FR-RO protocol 2019, art. 4'],
    });
  });

  it('applies per-agreement settings to the cases under that agreement', () => {
    const fresh = { done: true, at: '2026-03-01T09:00:00Z', outcome: 'no-risk' as const };
    const input = safeVerification({ returnVoluntary: false, riskAssessment: fresh }, { settings });
    expect(evaluate(input).outcome).toBe('warn');
    const underAgreement = {
      ...input,
      body: { ...input.body, agreementId: 'WB-READMISSION' },
    };
    expect(evaluate(underAgreement).outcome).toBe('block');
  });
});
