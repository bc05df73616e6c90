import fc from 'fast-check';
import type { Procedure } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { PolicyDecision } from './decision.js';
import { evaluate, policyError, withRequiredHandling } from './engine.js';
import type { AsylumStatus, PersonFacts } from './facts.js';
import { ASYLUM_STATUSES } from './facts.js';
import { type Body, message, mlaRequest, NOW } from './fixtures.js';
import { AUTHORITY_KINDS, CHANNELS, type PolicyInput, type RegisterHit } from './input.js';
import { assertSealAuthorised, authorisePayload, sealDigestOf } from './token.js';

/*
 * Property-based: for random cases, persons, procedures, channels and recipients,
 * - no message that may be sealed is addressed to an authority of a State a person must be
 *   shielded from while it names that person, or carries asylum data or asylum text (H-1);
 * - no message serving a return may be sealed for a child without H-5's four records;
 * - a token exists only for allowed decisions, and only for the exact payload.
 * The oracles below restate the rules independently of the engine's code.
 */

const STATES = ['FR', 'DE', 'RO', 'NG', 'SY', 'UA', 'AL'] as const;
const ROLES = ['victim', 'witness', 'suspect', 'child', 'age-uncertain'] as const;
const RUNS = { numRuns: 400 };

interface GeneratedPerson {
  readonly body: Body;
  readonly facts?: PersonFacts;
}

const states = (minLength = 0) =>
  fc.uniqueArray(fc.constantFrom(...STATES), { minLength, maxLength: 3 });

const asylumFacts = fc.record({
  status: fc.constantFrom<AsylumStatus>(...ASYLUM_STATUSES),
  shieldFrom: states(),
});

const personFacts = (key: string) =>
  fc.record(
    {
      personKey: fc.constant(key),
      nationalities: states(),
      countryOfOrigin: fc.constantFrom(...STATES),
      asylum: asylumFacts,
      victim: fc.boolean(),
      subjectOfCase: fc.boolean(),
    },
    { requiredKeys: ['personKey'] },
  );

const generatedPerson = (position: number): fc.Arbitrary<GeneratedPerson> => {
  const key = `P${position + 1}`;
  return fc.record(
    {
      body: fc.record(
        {
          reference: fc.constant(key),
          names: fc.constant({ familyNames: [`Name${position}`] }),
          nationalities: states(),
          roles: fc.uniqueArray(fc.constantFrom(...ROLES), { minLength: 1, maxLength: 3 }),
          protectionStatus: fc.constantFrom('applicant', 'refugee', 'subsidiary-protection'),
          lastKnownLocation: fc.constant('Somewhere'),
          health: fc.constant({ information: 'diabetes', consentReference: 'C-1' }),
        },
        { requiredKeys: ['reference', 'names', 'roles'] },
      ),
      facts: personFacts(key),
    },
    { requiredKeys: ['body'] },
  );
};

const people = fc
  .integer({ min: 0, max: 3 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => generatedPerson(i))));

/** Other persons of the case, not named in the message. */
const casePersons = fc.array(
  fc.record(
    {
      label: fc.constantFrom('V-7', 'V-8'),
      nationalities: states(),
      countryOfOrigin: fc.constantFrom(...STATES),
      asylum: asylumFacts,
      subjectOfCase: fc.boolean(),
    },
    { requiredKeys: ['label'] },
  ),
  { maxLength: 2 },
);

const proceeding = {
  subjectMatter: 'Trafficking',
  nature: 'investigation',
  conductingAuthority: { name: 'TJ Paris', functions: 'judge' },
};

/** A schema-valid message of some procedure carrying the persons. */
function bodyFor(template: number, persons: Body[]): [Procedure, string, Body] {
  switch (template) {
    case 0:
      return ['mla', 'request', mlaRequest(persons)];
    case 1:
      return [
        'mla',
        'additional-information',
        { information: 'More facts', ...(persons.length > 0 && { persons }) },
      ];
    case 2:
      return [
        'jit',
        'operational-message',
        { subject: 'Update', text: 'News', ...(persons.length > 0 && { persons }) },
      ];
    case 3:
      return [
        'assets',
        'identify',
        {
          requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
          proceeding,
          summaryOfFacts: 'Proceeds',
          actionsRequested: 'Identify accounts',
          ...(persons.length > 0 && { persons }),
        },
      ];
    case 4: {
      // The verification subject carries minimal identity data only.
      const first = persons[0] ?? {};
      return [
        'nationality-verification',
        'verification-request',
        {
          person: {
            names: { familyNames: ['Subject'] },
            dateOfBirth: '1990',
            placeOfBirth: 'Unknown',
            ...(Array.isArray(first.nationalities) && { nationalities: first.nationalities }),
            ...(Array.isArray(first.roles) && { roles: first.roles }),
          },
        },
      ];
    }
    default:
      return ['nationality-verification', 'travel-document-request', { documentType: 'passport' }];
  }
}

const scenario = fc
  .record({
    persons: people,
    others: casePersons,
    template: fc.integer({ min: 0, max: 5 }),
    channel: fc.constantFrom(...CHANNELS),
    senderState: fc.constantFrom(...STATES),
    recipientState: fc.constantFrom(...STATES),
    recipientKind: fc.constantFrom(...AUTHORITY_KINDS),
    hitMask: fc.array(fc.tuple(fc.boolean(), states(1)), { minLength: 4, maxLength: 4 }),
    asylumText: fc.boolean(),
    received: fc.option(states(1), { nil: undefined }),
  })
  .map((s) => {
    const [procedure, messageType, body] = bodyFor(
      s.template,
      s.persons.map((p) => p.body),
    );
    const nv = procedure === 'nationality-verification';
    // In a verification request, the subject is the only person named, at index 0, unreferenced.
    const namedCount = messageType === 'verification-request' ? 1 : nv ? 0 : s.persons.length;
    const personFacts: PersonFacts[] = s.persons.flatMap((p, index) => {
      if (!p.facts) return [];
      if (messageType === 'verification-request') {
        if (index > 0) return [{ ...p.facts, personKey: undefined, personIndex: 99 + index }];
        return [{ ...p.facts, personKey: undefined, personIndex: 0 }];
      }
      return [p.facts];
    });
    const registerHits: RegisterHit[] = s.hitMask
      .slice(0, namedCount)
      .flatMap(([hit, shieldFrom], personIndex) => (hit ? [{ personIndex, shieldFrom }] : []));
    const input: PolicyInput = {
      ...message(procedure, messageType, body, {
        channel: s.channel,
        sender: {
          authorityId: `${s.senderState}-GOV-A`,
          state: s.senderState,
          kind: 'central-authority',
        },
        recipient: {
          authorityId: `${s.recipientState}-GOV-B`,
          state: s.recipientState,
          kind: s.recipientKind,
        },
        facts: { persons: [...personFacts, ...s.others] },
        registerHits,
        ...(s.asylumText && {
          textFindings: [{ field: 'body.text', language: 'ar', term: 'لجوء' }],
        }),
        ...(s.received && { receivedHandling: { noOnwardTransferTo: s.received } }),
        // Someone tries to acknowledge every rule there is.
        acknowledgements: ['H-1', 'H-4', 'H-5', 'W-1', 'W-3', 'W-6', 'W-7'].map((ruleId) => ({
          ruleId,
          justification: 'Operational necessity',
          supervisor: 'sup.x',
          asylumAuthoritySignOff: 'SO-1',
        })),
      }),
    };
    return input;
  });

/** The oracle of H-1: the States a person must be shielded from. */
function shieldOf(
  body: Body | undefined,
  facts: PersonFacts | undefined,
  hits: readonly RegisterHit[],
): Set<string> {
  const asylum = facts?.asylum;
  const claim =
    hits.length > 0 ||
    (body !== undefined && 'protectionStatus' in body) ||
    (asylum !== undefined && (asylum.status !== 'none' || asylum.shieldFrom.length > 0));
  if (!claim) return new Set();
  return new Set([
    ...((body?.nationalities as string[] | undefined) ?? []),
    ...(facts?.nationalities ?? []),
    ...(facts?.countryOfOrigin ? [facts.countryOfOrigin] : []),
    ...(asylum?.shieldFrom ?? []),
    ...hits.flatMap((hit) => hit.shieldFrom),
  ]);
}

function namedPersons(input: PolicyInput): Body[] {
  const persons = (input.body.persons as Body[] | undefined) ?? [];
  const subject = input.body.person as Body | undefined;
  return subject ? [subject] : persons;
}

/** Whether the oracle says H-1 must block. */
function h1MustBlock(input: PolicyInput): boolean {
  const recipient = input.recipient.state;
  const named = namedPersons(input);
  const facts = input.facts.persons ?? [];
  const hits = input.registerHits ?? [];
  const factsOf = (body: Body, index: number) =>
    facts.find((f) =>
      f.personKey !== undefined ? f.personKey === body.reference : f.personIndex === index,
    );
  const concerned = named.map((body, index) =>
    shieldOf(
      body,
      factsOf(body, index),
      hits.filter((h) => h.personIndex === index),
    ),
  );
  const matched = new Set(named.map((body, index) => factsOf(body, index)));
  for (const f of facts) {
    if (!matched.has(f) && f.subjectOfCase === true) concerned.push(shieldOf(undefined, f, []));
  }
  if (concerned.some((shield) => shield.has(recipient))) return true;
  const caseUnion = new Set([
    ...concerned.flatMap((s) => [...s]),
    ...facts.filter((f) => !matched.has(f)).flatMap((f) => [...shieldOf(undefined, f, [])]),
  ]);
  const asylumData = named.some((body) => 'protectionStatus' in body);
  const asylumText = (input.textFindings ?? []).length > 0;
  return (asylumData || asylumText) && caseUnion.has(recipient);
}

function payloadOf(input: PolicyInput, decision: PolicyDecision) {
  return {
    procedure: input.procedure,
    messageType: input.messageType,
    sender: input.sender.authorityId,
    recipient: input.recipient.authorityId,
    body: decision.approvedBody ?? input.body,
    handling: withRequiredHandling(
      { permittedPurpose: 'p', confidential: true, noOnwardTransferTo: [] },
      decision,
    ),
  };
}

function sealable(input: PolicyInput, decision: PolicyDecision): boolean {
  try {
    authorisePayload(decision, payloadOf(input, decision));
    return true;
  } catch (error) {
    if (error instanceof GatewayError) return false;
    throw error;
  }
}

describe('H-1 holds for any case, person, procedure, channel and recipient', () => {
  it('never lets a message reach a shielded State naming the person, or carrying asylum data or text', () => {
    let blocks = 0;
    fc.assert(
      fc.property(scenario, (input) => {
        const decision = evaluate(input);
        if (!h1MustBlock(input)) return;
        blocks += 1;
        expect(decision.outcome).toBe('block');
        expect(decision.findings).toContainEqual(
          expect.objectContaining({
            ruleId: 'H-1',
            severity: 'block',
            senderMessage: 'Blocked by H-1',
          }),
        );
        expect(policyError(decision)?.details).toEqual([
          { rule: 'H-1', message: 'Blocked by H-1' },
        ]);
        expect(sealable(input, decision)).toBe(false);
      }),
      RUNS,
    );
    expect(blocks).toBeGreaterThan(20);
  });

  it('makes every sealable message carry "no onward transfer" to every shielded State but its recipient\'s', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const decision = evaluate(input);
        if (!sealable(input, decision)) return;
        const shielded = new Set(
          (input.registerHits ?? [])
            .flatMap((hit) => hit.shieldFrom)
            .concat(
              (input.facts.persons ?? []).flatMap((f) =>
                f.asylum && f.asylum.status !== 'none' ? f.asylum.shieldFrom : [],
              ),
            ),
        );
        for (const state of shielded) {
          if (state === input.recipient.state) continue;
          expect(decision.requiredHandling.noOnwardTransferTo).toContain(state);
        }
        // Named to itself, a shielded State would learn that someone is shielded from it (H-1).
        expect(decision.requiredHandling.noOnwardTransferTo).not.toContain(input.recipient.state);
      }),
      RUNS,
    );
  });
});

const DOB = fc.oneof(
  fc.integer({ min: 1990, max: 2025 }).map(String),
  fc
    .tuple(fc.integer({ min: 1990, max: 2025 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  fc
    .tuple(
      fc.integer({ min: 1990, max: 2025 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const childFacts = fc.record(
  {
    isChild: fc.boolean(),
    ageUncertain: fc.boolean(),
    bestInterestsDetermination: maybe(fc.constantFrom('BID-1', ' ')),
    guardian: maybe(fc.record({ independentOfRequestingAgency: fc.boolean() })),
    viewsRecorded: maybe(fc.constant('VIEWS-1')),
    familyAssessment: maybe(fc.constant('FAM-1')),
  },
  { requiredKeys: [] },
);

const returnScenario = fc
  .record({
    template: fc.integer({ min: 0, max: 2 }),
    dateOfBirth: DOB,
    factsDateOfBirth: maybe(DOB),
    roles: fc.uniqueArray(fc.constantFrom(...ROLES), { minLength: 1, maxLength: 3 }),
    child: maybe(childFacts),
    channel: fc.constantFrom(...CHANNELS),
    recipientState: fc.constantFrom('RO', 'AL', 'UA'),
  })
  .map((s): PolicyInput => {
    const base: PersonFacts = {
      personIndex: 0,
      subjectOfCase: true,
      nationalities: [s.recipientState],
      riskAssessment: { done: true, outcome: 'no-risk' },
      returnVoluntary: true,
      identityProtectiveMeasures: 'PM',
      ...(s.factsDateOfBirth !== undefined && { dateOfBirth: s.factsDateOfBirth }),
      ...(s.child && { child: s.child }),
    };
    const recipient = {
      authorityId: `${s.recipientState}-MAI-R`,
      state: s.recipientState,
      kind: 'repatriation' as const,
    };
    const subject = {
      names: { familyNames: ['Subject'] },
      dateOfBirth: s.dateOfBirth,
      placeOfBirth: 'Unknown',
      roles: s.roles,
    };
    if (s.template === 0) {
      return message(
        'nationality-verification',
        'verification-request',
        { person: subject },
        {
          channel: s.channel,
          recipient,
          facts: { persons: [base] },
        },
      );
    }
    if (s.template === 1) {
      return message(
        'nationality-verification',
        'travel-document-request',
        { documentType: 'laissez-passer' },
        {
          channel: s.channel,
          recipient,
          facts: {
            persons: [{ ...base, dateOfBirth: s.factsDateOfBirth ?? s.dateOfBirth }],
          },
        },
      );
    }
    // Any other message declared to serve the return of the person it names.
    const keyed: PersonFacts = { ...base, personIndex: undefined };
    return message('mla', 'request', mlaRequest([{ reference: 'P1', ...subject }]), {
      channel: s.channel,
      recipient,
      facts: { persons: [{ ...keyed, personKey: 'P1' }] },
      declarations: { returnOf: ['P1'] },
    });
  });

/** The oracle of "may be a child": any sign, a partial date of birth read at its latest. */
function mayBeChild(input: PolicyInput): boolean {
  const named = namedPersons(input)[0];
  const facts = input.facts.persons?.[0];
  const roles = (named?.roles as string[] | undefined) ?? [];
  if (roles.includes('child') || roles.includes('age-uncertain')) return true;
  if (facts?.child?.isChild === true || facts?.child?.ageUncertain === true) return true;
  const dates = [named?.dateOfBirth as string | undefined, facts?.dateOfBirth];
  return dates.some((date) => date !== undefined && under18(date));
}

function under18(dateOfBirth: string): boolean {
  const [year, month = '12', day] = dateOfBirth.split('-');
  const lastDay =
    day ?? String(new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()).padStart(2, '0');
  const eighteenth = `${Number(year) + 18}-${month}-${lastDay}`;
  return eighteenth > NOW.toISOString().slice(0, 10);
}

function fourRecords(input: PolicyInput): boolean {
  const child = input.facts.persons?.[0]?.child;
  const recorded = (value: string | undefined) => value !== undefined && value.trim() !== '';
  return (
    recorded(child?.bestInterestsDetermination) &&
    child?.guardian?.independentOfRequestingAgency === true &&
    recorded(child.viewsRecorded) &&
    recorded(child.familyAssessment)
  );
}

describe('H-5 holds for any return', () => {
  it('never lets a return of a child, or of a person who may be one, go without the four records', () => {
    let children = 0;
    fc.assert(
      fc.property(returnScenario, (input) => {
        const decision = evaluate(input);
        const child = mayBeChild(input);
        if (child && !fourRecords(input)) {
          children += 1;
          expect(decision.outcome).toBe('block');
          expect(decision.findings).toContainEqual(
            expect.objectContaining({ ruleId: 'H-5', severity: 'block' }),
          );
          expect(sealable(input, decision)).toBe(false);
        }
        if (!child) {
          expect(decision.findings.some((f) => f.ruleId === 'H-5')).toBe(false);
        }
      }),
      RUNS,
    );
    expect(children).toBeGreaterThan(20);
  });
});

describe('the token for any decision', () => {
  it('exists only for allowed decisions, and only for the exact payload and recipient', () => {
    let minted = 0;
    fc.assert(
      fc.property(scenario, fc.constantFrom(...STATES), (input, other) => {
        const decision = evaluate(input);
        const payload = payloadOf(input, decision);
        if (decision.outcome === 'block' || decision.outcome === 'warn') {
          const error = (() => {
            try {
              authorisePayload(decision, payload);
            } catch (caught) {
              return caught as GatewayError;
            }
            return undefined;
          })();
          expect(error?.code).toBe(
            decision.outcome === 'block'
              ? ErrorCode.POLICY_BLOCKED
              : ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED,
          );
          return;
        }
        minted += 1;
        const token = authorisePayload(decision, payload);
        const payloadDigest = sealDigestOf(payload);
        assertSealAuthorised(token, { payloadDigest, recipient: payload.recipient });
        const elsewhere = `${other}-GOV-Z`;
        expect(() => assertSealAuthorised(token, { payloadDigest, recipient: elsewhere })).toThrow(
          GatewayError,
        );
        expect(() =>
          assertSealAuthorised(token, {
            payloadDigest: sealDigestOf({ ...payload, body: { ...payload.body, extra: 1 } }),
            recipient: payload.recipient,
          }),
        ).toThrow(GatewayError);
      }),
      RUNS,
    );
    expect(minted).toBeGreaterThan(10);
  });
});
