import fc from 'fast-check';
import {
  DEFAULT_SCANNER,
  PROTECTION_TERMS,
  SCAN_LANGUAGES,
  scanBody,
  scanText,
} from '#libs/protection-register';
import { evaded } from '../../protection-register/src/scanner.evasion.js';
import {
  CARRIERS,
  CITIES,
  NAMES,
  OPERATIONAL_SENTENCES,
} from '../../protection-register/src/scanner.fixtures.js';
import type { PolicyDecision } from './decision.js';
import { evaluate } from './engine.js';
import type { PersonFacts } from './facts.js';
import { type Body, message, mlaRequest } from './fixtures.js';
import {
  AUTHORITY_KINDS,
  TEXT_TOPICS,
  type MessageDeclarations,
  type PolicyInput,
} from './input.js';

/*
 * The scanner and the engine together, on generated free text: a message whose free text reveals
 * an asylum claim or protection, in any UN language, inflected and disguised, is never allowed to
 * a possible country of origin (W-6 warns, or H-1 blocks), whoever it names and whatever the case
 * facts say; ordinary operational text does not raise W-6. A request whose text seeks the arrest
 * or prosecution of a named victim meets H-7 and W-4 with or without a declaration.
 */

const RUNS = { numRuns: 300 };
const folding = DEFAULT_SCANNER.lists.folding;
const FOREIGN = ['RO', 'NG', 'SY', 'UA', 'AL', 'DE'] as const;
const FREE_TEXT_FIELDS = ['summaryOfFacts', 'purpose', 'particularProcedure'] as const;

/** The asylum terms' examples (inflected forms), and where the clean scan finds the term. */
const SPANS = PROTECTION_TERMS.filter((term) => term.topic === 'asylum').flatMap((term) =>
  term.examples.flatMap((example) => {
    const finding = scanText(example).find((f) => f.topic === 'asylum');
    return finding ? [{ language: term.language, example, finding }] : [];
  }),
);

/** A sentence revealing a claim, disguised or not, in an operational carrier sentence. */
const revealingText = fc
  .record({
    span: fc.constantFrom(...SPANS),
    disguise: fc.boolean(),
    carrier: fc.nat(),
    context: fc.nat(),
  })
  .chain(({ span, disguise, carrier, context }) =>
    (disguise
      ? evaded(span.finding.match, folding)
      : fc.constant({ text: span.finding.match })
    ).map(({ text }) => {
      const { index, match } = span.finding;
      const sentence =
        span.example.slice(0, index) + text + span.example.slice(index + match.length);
      const carriers = CARRIERS[span.language];
      const pool = OPERATIONAL_SENTENCES[span.language];
      const before = pool[context % pool.length]
        .replaceAll('{name}', NAMES[0])
        .replaceAll('{city}', CITIES[context % CITIES.length])
        .replaceAll('{date}', '3.05.2025')
        .replaceAll('{amount}', '5000');
      return `${before} ${carriers[carrier % carriers.length].replace('{term}', sentence)}`;
    }),
  );

/** The case facts a drafter may have: none, partial, or establishing everyone's origin. */
type FactsCase =
  'none' | 'no-origin' | 'of-recipient' | 'shielded-from-recipient' | 'one-unknown' | 'elsewhere';
const FACTS_CASES: FactsCase[] = [
  'none',
  'no-origin',
  'of-recipient',
  'shielded-from-recipient',
  'one-unknown',
  'elsewhere',
];

const scenario = fc.record({
  text: revealingText,
  field: fc.constantFrom(...FREE_TEXT_FIELDS),
  named: fc.integer({ min: 0, max: 2 }),
  namedWithNationality: fc.boolean(),
  facts: fc.constantFrom(...FACTS_CASES),
  recipientState: fc.constantFrom(...FOREIGN),
  recipientKind: fc.constantFrom(...AUTHORITY_KINDS),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function inputOf(s: Scenario): PolicyInput {
  const elsewhere = FOREIGN.find((state) => state !== s.recipientState) ?? 'DE';
  const persons: Body[] = Array.from({ length: s.named }, (_, i) => ({
    reference: `P${i + 1}`,
    names: { familyNames: [`Name${i}`] },
    roles: ['witness'],
    ...(s.namedWithNationality && { nationalities: [elsewhere] }),
  }));
  const keyed = (i: number, extra: Partial<PersonFacts>): PersonFacts =>
    i < s.named ? { personKey: `P${i + 1}`, ...extra } : { label: `V-${i}`, ...extra };
  const count = Math.max(1, s.named);
  const factsPersons: Record<FactsCase, PersonFacts[] | undefined> = {
    none: undefined,
    'no-origin': Array.from({ length: count }, (_, i) => keyed(i, {})),
    'of-recipient': Array.from({ length: count }, (_, i) =>
      keyed(i, { nationalities: [s.recipientState] }),
    ),
    'shielded-from-recipient': Array.from({ length: count }, (_, i) =>
      keyed(i, {
        nationalities: [elsewhere],
        asylum: { status: 'pending', shieldFrom: [s.recipientState] },
      }),
    ),
    'one-unknown': Array.from({ length: count + 1 }, (_, i) =>
      keyed(i, i === count ? {} : { countryOfOrigin: elsewhere }),
    ),
    elsewhere: Array.from({ length: count }, (_, i) => keyed(i, { countryOfOrigin: elsewhere })),
  };
  const body = mlaRequest(persons, { [s.field]: s.text });
  const found = scanBody(body);
  return message('mla', 'request', body, {
    recipient: {
      authorityId: `${s.recipientState}-GOV-B`,
      state: s.recipientState,
      kind: s.recipientKind,
    },
    facts: factsPersons[s.facts] ? { persons: factsPersons[s.facts] } : {},
    textFindings: found.map(({ field, language, term, topic, index, match }) => ({
      field,
      language,
      term,
      topic,
      index,
      match,
    })),
  });
}

/**
 * The oracle: the recipient may be a country of origin unless the case facts list the persons
 * and every one's origin is known (recorded in the facts, or stated in the message's structured
 * nationality) and none is of, or shielded from, the recipient's State.
 */
function possibleOrigin(s: Scenario): boolean {
  if (s.recipientKind === 'embassy' || s.recipientKind === 'consulate') return true;
  if (s.facts === 'elsewhere') return false;
  if (s.facts === 'no-origin') return !(s.named > 0 && s.namedWithNationality);
  return true;
}

const stopsAt = (decision: PolicyDecision) =>
  decision.outcome === 'warn' || decision.outcome === 'block';

describe('free text revealing a claim, to a possible country of origin', () => {
  it('the scanner finds every generated revealing text', () => {
    fc.assert(
      fc.property(revealingText, (text) => {
        expect({ text, found: scanText(text).some((f) => f.topic === 'asylum') }).toEqual({
          text,
          found: true,
        });
      }),
      RUNS,
    );
  });

  it('is never allowed, in any UN language, disguised or not, named or not, with or without facts', () => {
    let checked = 0;
    const byFacts = new Map<FactsCase, number>();
    fc.assert(
      fc.property(scenario, (s) => {
        if (!possibleOrigin(s)) return;
        checked += 1;
        byFacts.set(s.facts, (byFacts.get(s.facts) ?? 0) + 1);
        const decision = evaluate(inputOf(s));
        expect({
          text: s.text,
          facts: s.facts,
          outcome: decision.outcome,
          stopped: stopsAt(decision),
        }).toEqual({
          text: s.text,
          facts: s.facts,
          outcome: decision.outcome,
          stopped: true,
        });
        expect(
          decision.findings.some(
            (f) => f.ruleId === 'W-6' || (f.ruleId === 'H-1' && f.severity === 'block'),
          ),
        ).toBe(true);
      }),
      { numRuns: 1500 },
    );
    expect(checked).toBeGreaterThan(800);
    for (const facts of FACTS_CASES.filter((f) => f !== 'elsewhere')) {
      expect({ facts, tried: (byFacts.get(facts) ?? 0) > 50 }).toEqual({ facts, tried: true });
    }
  });

  it('is left to the officer when the case facts establish that no one is of, or shielded from, the State', () => {
    fc.assert(
      fc.property(
        scenario.filter((s) => !possibleOrigin(s)),
        (s) => {
          const decision = evaluate(inputOf(s));
          expect(decision.findings.filter((f) => f.ruleId === 'W-6')).toEqual([]);
        },
      ),
      RUNS,
    );
  });
});

describe('ordinary operational text to a foreign authority, with no case facts', () => {
  it('raises W-6 in at most 0.5% of generated requests (measured)', () => {
    const runs = 1500;
    let warned = 0;
    fc.assert(
      fc.property(
        fc.record({
          language: fc.constantFrom(...SCAN_LANGUAGES),
          picks: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
          name: fc.constantFrom(...NAMES),
          city: fc.constantFrom(...CITIES),
          recipientState: fc.constantFrom(...FOREIGN),
        }),
        ({ language, picks, name, city, recipientState }) => {
          const pool = OPERATIONAL_SENTENCES[language];
          const text = picks
            .map((n) =>
              pool[n % pool.length]
                .replaceAll('{name}', name)
                .replaceAll('{city}', city)
                .replaceAll('{date}', `${1 + (n % 28)}.04.2025`)
                .replaceAll('{amount}', String(100 + n)),
            )
            .join(' ');
          const body = mlaRequest([], { summaryOfFacts: text });
          const decision = evaluate(
            message('mla', 'request', body, {
              recipient: {
                authorityId: `${recipientState}-GOV-B`,
                state: recipientState,
                kind: 'central-authority',
              },
              textFindings: scanBody(body),
            }),
          );
          if (decision.findings.some((f) => f.ruleId === 'W-6')) warned += 1;
        },
      ),
      { numRuns: runs },
    );
    console.info(`W-6 on ordinary operational text: ${warned}/${runs} generated requests`);
    expect(warned / runs).toBeLessThanOrEqual(0.005);
  });
});

/** A request seeking the arrest or prosecution of the person named `{name}`, by language. */
const SEEKING: Readonly<
  Record<string, { name: { givenNames: string[]; familyNames: string[] }; phrases: string[] }>
> = {
  en: {
    name: { givenNames: ['Ana'], familyNames: ['Popescu'] },
    phrases: [
      'Prosecution of Ms {name} for the use of a forged passport',
      'to arrest and detain {name}',
      'criminal proceedings against the victim {name}',
    ],
  },
  fr: {
    name: { givenNames: ['Ana'], familyNames: ['Popescu'] },
    phrases: [
      "Poursuites contre Mme {name} pour usage d'un faux passeport",
      "l'arrestation de {name}",
      'placer en détention {name}',
    ],
  },
  es: {
    name: { givenNames: ['Ana'], familyNames: ['Popescu'] },
    phrases: [
      'Detención de la señora {name}',
      'enjuiciamiento de {name} por uso de pasaporte falso',
      'detener a {name}',
    ],
  },
  ru: {
    name: { givenNames: ['Анна'], familyNames: ['Попеску'] },
    phrases: ['Задержание гражданки {name}', 'уголовное преследование {name}', 'арестовать {name}'],
  },
  ar: {
    name: { givenNames: ['آمنة'], familyNames: ['حداد'] },
    phrases: ['القبض على السيدة {name}', 'ملاحقة {name} قضائيا', 'احتجاز {name}'],
  },
  zh: {
    name: { givenNames: ['伟'], familyNames: ['李'] },
    phrases: ['请求逮捕{name}', '起诉犯罪嫌疑人{name}', '对{name}提起公诉'],
  },
};

const SEEKING_FIELDS = [
  ['proceeding', 'subjectMatter'],
  ['purpose'],
  ['particularProcedure'],
] as const;

describe('a request whose text seeks the arrest or prosecution of a named victim', () => {
  const seeking = fc.record({
    language: fc.constantFrom(...Object.keys(SEEKING)),
    phrase: fc.nat(),
    field: fc.constantFrom(...SEEKING_FIELDS),
    victimBy: fc.constantFrom('role', 'facts'),
    declared: fc.boolean(),
  });

  const inputFor = (
    s: typeof seeking extends fc.Arbitrary<infer T> ? T : never,
    target: 'victim' | 'recruiters',
  ) => {
    const { name, phrases } = SEEKING[s.language];
    const written =
      s.language === 'zh'
        ? `${name.familyNames[0]}${name.givenNames[0]}`
        : `${name.givenNames[0]} ${name.familyNames[0]}`;
    const phrase = phrases[s.phrase % phrases.length].replace(
      '{name}',
      target === 'victim' ? written : 'X',
    );
    const base = mlaRequest();
    const body = mlaRequest(
      [
        {
          reference: 'P1',
          names: name,
          roles: s.victimBy === 'role' ? ['victim', 'witness'] : ['witness'],
          criminalRecord: [{ offence: 'Use of a forged passport', statusOffence: true }],
        },
      ],
      s.field[0] === 'proceeding'
        ? { proceeding: { ...(base.proceeding as Body), subjectMatter: phrase } }
        : { [s.field[0]]: phrase },
    );
    const declarations: MessageDeclarations | undefined = s.declared
      ? { prosecutionOrDetentionOf: ['P1'] }
      : undefined;
    return message('mla', 'request', body, {
      recipient: { authorityId: 'DE-BFJ-IRZ', state: 'DE', kind: 'central-authority' },
      facts: {
        persons: [
          {
            personKey: 'P1',
            nationalities: ['RO'],
            identityPseudonymised: true,
            ...(s.victimBy === 'facts' && { victim: true }),
          },
        ],
      },
      textFindings: scanBody(body).map(({ field, language, term, topic, index, match }) => ({
        field,
        language,
        term,
        topic,
        index,
        match,
      })),
      ...(declarations && { declarations }),
    });
  };

  it('meets H-7 (status offences) and W-4 in the six languages, declared or not', () => {
    fc.assert(
      fc.property(seeking, (s) => {
        const decision = evaluate(inputFor(s, 'victim'));
        const ids = decision.findings.map((f) => `${f.ruleId}:${f.severity}`);
        expect({ s, h7: ids.includes('H-7:block'), w4: ids.includes('W-4:warn') }).toEqual({
          s,
          h7: true,
          w4: true,
        });
      }),
      RUNS,
    );
  });

  it('does not read the victim into a sentence about someone else (undeclared)', () => {
    fc.assert(
      fc.property(
        seeking.filter((s) => !s.declared),
        (s) => {
          const decision = evaluate(inputFor(s, 'recruiters'));
          expect(decision.findings.filter((f) => f.ruleId === 'H-7' || f.ruleId === 'W-4')).toEqual(
            [],
          );
        },
      ),
      RUNS,
    );
  });

  it('only adds: the text never lifts what a declaration or a role brings', () => {
    fc.assert(
      fc.property(seeking, (s) => {
        const withText = evaluate(inputFor(s, 'victim'));
        const input = inputFor(s, 'victim');
        const withoutText = evaluate({ ...input, textFindings: [] });
        const rules = (d: PolicyDecision) =>
          new Set(d.findings.filter((f) => f.severity !== 'note').map((f) => f.ruleId));
        for (const rule of rules(withoutText)) expect(rules(withText).has(rule)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('free text making assistance depend on cooperation', () => {
  it.each(
    PROTECTION_TERMS.filter((t) => t.topic === 'cooperation-conditionality').flatMap((t) =>
      t.examples.map((example) => [t.language, example]),
    ),
  )('%s: H-6 blocks %j in a request', (_language, example) => {
    const body = mlaRequest([], { particularProcedure: example });
    const decision = evaluate(message('mla', 'request', body, { textFindings: scanBody(body) }));
    expect(decision.outcome).toBe('block');
    expect(decision.findings).toContainEqual(
      expect.objectContaining({
        ruleId: 'H-6',
        severity: 'block',
        fields: ['$.particularProcedure'],
      }),
    );
  });
});

describe('the topics', () => {
  it('are the same in the scanner and the engine', () => {
    expect([...new Set(PROTECTION_TERMS.map((t) => t.topic))].sort()).toEqual(
      [...TEXT_TOPICS].sort(),
    );
  });
});
