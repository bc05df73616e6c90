import fc from 'fast-check';
import { ErrorCode, GatewayError } from '#libs/errors';
import { classifyFactChanges, personIdentity, type CaseFacts } from '#libs/policy';
import { applyFactsUpdate, type CaseFactsUpdate } from './case-facts.update.js';

const RECORDED: CaseFacts = {
  legalBasisRecorded: true,
  persons: [
    {
      personKey: 'P1',
      nationalities: ['NG'],
      asylum: { status: 'pending', shieldFrom: ['NG'] },
      victim: true,
    },
    { personIndex: 1, riskAssessment: { done: true, outcome: 'no-risk' } },
  ],
};

function refusal(work: () => unknown): GatewayError | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

describe('applying a change to a procedure’s facts', () => {
  it('changes nothing for an empty body: {} erases nothing', () => {
    expect(applyFactsUpdate(RECORDED, {})).toEqual(RECORDED);
    expect(applyFactsUpdate(RECORDED, { persons: [] })).toEqual(RECORDED);
    expect(applyFactsUpdate(RECORDED, { persons: [{ personKey: 'P1' }] })).toEqual(RECORDED);
  });

  it('replaces a field given, removes one given as null, leaves the rest', () => {
    const next = applyFactsUpdate(RECORDED, {
      legalBasisRecorded: null,
      agreementId: 'AG-1',
      persons: [
        { personKey: 'P1', victim: null, asylum: { status: 'granted', shieldFrom: ['NG'] } },
      ],
    });
    expect(next).toEqual({
      agreementId: 'AG-1',
      persons: [
        {
          personKey: 'P1',
          nationalities: ['NG'],
          asylum: { status: 'granted', shieldFrom: ['NG'] },
        },
        RECORDED.persons![1],
      ],
    });
  });

  it('matches persons by key, else by index, and adds new ones last', () => {
    const next = applyFactsUpdate(RECORDED, {
      persons: [
        { personIndex: 4, victim: true },
        { personIndex: 1, returnVoluntary: true },
      ],
    });
    expect(next.persons?.map((person, i) => personIdentity(person, i))).toEqual([
      'key=P1',
      'index=1',
      'index=4',
    ]);
    expect(next.persons?.[1]).toEqual({ ...RECORDED.persons![1], returnVoluntary: true });
  });

  it('removes every person only when told so explicitly', () => {
    expect(applyFactsUpdate(RECORDED, { persons: null })).toEqual({ legalBasisRecorded: true });
  });

  it.each<[string, CaseFactsUpdate, string]>([
    ['a person without identity', { persons: [{ victim: true }] }, 'persons.0'],
    [
      'the same person twice',
      { persons: [{ personKey: 'P9' }, { personKey: 'P9', victim: true }] },
      'persons.1',
    ],
    [
      'two consents of one key',
      {
        persons: [
          {
            personKey: 'P1',
            consents: [
              { category: 'health', purpose: 'x', given: true },
              { category: 'health', purpose: 'x', given: false },
            ],
          },
        ],
      },
      'persons.0.consents',
    ],
    [
      'two records of one action and territory',
      {
        jitActions: [
          { actionId: 'A', territoryState: 'DE', decision: 'approved' },
          { actionId: 'A', territoryState: 'de', decision: 'refused' },
        ],
      },
      'jitActions',
    ],
  ])('refuses %s, naming the field', (_name, update, field) => {
    const error = refusal(() => applyFactsUpdate(RECORDED, update));
    expect(error?.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error?.details[0].field).toBe(field);
  });

  it('never reorders the persons recorded, nor drops one not named (generated changes)', () => {
    const identity = fc.oneof(
      fc.constantFrom('P1', 'P2', 'P3').map((personKey) => ({ personKey })),
      fc.integer({ min: 0, max: 3 }).map((personIndex) => ({ personIndex })),
    );
    const change = fc.uniqueArray(
      fc.tuple(identity, fc.option(fc.boolean()), fc.option(fc.constantFrom('NG', 'RO'))),
      { maxLength: 4, selector: ([who]) => JSON.stringify(who) },
    );
    fc.assert(
      fc.property(change, change, (first, second) => {
        const toUpdate = (list: typeof first): CaseFactsUpdate => ({
          persons: list.map(([who, victim, origin]) => ({
            ...who,
            victim,
            ...(origin !== null && { countryOfOrigin: origin }),
          })),
        });
        const before = applyFactsUpdate({}, toUpdate(first));
        const after = applyFactsUpdate(before, toUpdate(second));
        const identities = (facts: CaseFacts) =>
          (facts.persons ?? []).map((person, i) => personIdentity(person, i));
        expect(identities(after).slice(0, identities(before).length)).toEqual(identities(before));
        // Classified changes only concern persons and fields the body named.
        const named = new Set(identities(applyFactsUpdate({}, toUpdate(second))));
        for (const changed of classifyFactChanges(before, after)) {
          expect(named.has(/^persons\[([^\]]+)\]/.exec(changed.path)?.[1] ?? '')).toBe(true);
        }
      }),
    );
  });
});
