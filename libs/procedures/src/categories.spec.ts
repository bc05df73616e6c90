import { getMetadataStorage } from 'class-validator';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { Procedure } from '#libs/envelope';
import { definitionOf } from './catalogue.js';
import { DATA_CATEGORIES, tagsOf, type DataCategory, type SchemaClass } from './categories.js';
import { categoriesOf } from './validate-message-body.js';

function schemasOf(procedure: Procedure): Set<SchemaClass> {
  const found = new Set<SchemaClass>();
  const visit = (schema: SchemaClass) => {
    if (found.has(schema)) return;
    found.add(schema);
    for (const tags of tagsOf(schema).values()) if (tags.nested) visit(tags.nested());
  };
  for (const message of Object.values(definitionOf(procedure).messages)) visit(message.schema);
  return found;
}

const PROCEDURES: Procedure[] = ['mla', 'jit', 'nationality-verification', 'assets'];

describe('data category tags', () => {
  it.each(PROCEDURES)('tags every field of every %s schema, nested ones included', (procedure) => {
    const schemas = schemasOf(procedure);
    expect(schemas.size).toBeGreaterThan(3);
    for (const schema of schemas) {
      const validated = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(schema, '', true, false)
          .map((metadata) => metadata.propertyName),
      );
      const tagged = [...tagsOf(schema)].filter(([, tags]) => tags.tagged).map(([field]) => field);
      expect({ schema: schema.name, fields: [...validated].sort() }).toEqual({
        schema: schema.name,
        fields: [...tagged].sort(),
      });
    }
  });
});

const person = {
  names: { givenNames: ['Ana'], familyNames: ['Popescu'] },
  dateOfBirth: '2009',
  nationalities: ['RO'],
  roles: ['victim'],
};

const request = {
  requestingAuthority: { id: 'FR-MOJ-BEPI', name: 'BEPI' },
  proceeding: {
    subjectMatter: 'Trafficking',
    nature: 'investigation',
    conductingAuthority: { name: 'TJ Paris', functions: 'judge' },
  },
  summaryOfFacts: 'Facts',
  assistanceSought: ['taking-evidence'],
  purpose: 'Evidence',
  offence: {
    action: 'recruitment',
    means: 'deception',
    purpose: 'exploitation',
    childVictim: false,
  },
};

const sorted = (set: Set<DataCategory>) => [...set].sort();

describe('categoriesOf', () => {
  it('finds identity and intelligence in a request naming a suspect', () => {
    const body = { ...request, persons: [{ names: { aliases: ['Dino'] }, roles: ['suspect'] }] };
    expect(sorted(categoriesOf('mla', 'request', body))).toEqual(['identity', 'intelligence']);
  });

  it('finds no personal category where there is none', () => {
    expect(categoriesOf('mla', 'withdrawal', {}).size).toBe(0);
    expect(
      categoriesOf('mla', 'acknowledgement', { receivedAt: '2026-03-02T09:00:00Z' }).size,
    ).toBe(0);
    expect(sorted(categoriesOf('mla', 'request', request))).toEqual(['intelligence']);
  });

  it('walks nested persons and applies value-dependent tags', () => {
    const witness = {
      ...person,
      roles: ['victim', 'witness', 'age-uncertain'],
      lastKnownLocation: 'Lyon',
      residenceStatus: 'reflection-period',
      protectionStatus: 'applicant',
      health: { information: 'Needs care', consentReference: 'consent-2026-14' },
      criminalRecord: [{ offence: 'Use of a false document', statusOffence: true }],
      familyMembers: [{ relationship: 'parent', names: { familyNames: ['Popescu'] } }],
    };
    const found = categoriesOf('mla', 'request', { ...request, persons: [witness] });
    expect(sorted(found)).toEqual(
      DATA_CATEGORIES.filter((category) => category !== 'assets').sort(),
    );
  });

  it('sees child status in a child victim flag, and only when set', () => {
    const child = { ...request, offence: { ...request.offence, childVictim: true } };
    expect(categoriesOf('mla', 'request', child).has('child-status')).toBe(true);
    expect(categoriesOf('mla', 'request', request).has('child-status')).toBe(false);
    expect(
      categoriesOf('mla', 'request', { ...request, persons: [person] }).has('child-status'),
    ).toBe(false);
    const minor = { ...request, persons: [{ ...person, roles: ['victim', 'child'] }] };
    expect(categoriesOf('mla', 'request', minor).has('child-status')).toBe(true);
  });

  it('classifies nationality verification as identity (and residence for a permanent resident)', () => {
    const verification = {
      person: { names: { familyNames: ['Berisha'] }, dateOfBirth: '1999', placeOfBirth: 'Shkodër' },
    };
    expect(
      sorted(categoriesOf('nationality-verification', 'verification-request', verification)),
    ).toEqual(['identity']);
    const child = { person: { ...verification.person, roles: ['child'] } };
    expect(sorted(categoriesOf('nationality-verification', 'verification-request', child))).toEqual(
      ['child-status', 'identity'],
    );
    expect(
      sorted(
        categoriesOf('nationality-verification', 'verification-answer', {
          outcome: 'permanent-resident',
        }),
      ),
    ).toEqual(['identity', 'residence-status']);
    expect(
      sorted(
        categoriesOf('nationality-verification', 'verification-answer', { outcome: 'national' }),
      ),
    ).toEqual(['identity']);
  });

  it('classifies asset requests and disposals', () => {
    const freeze = {
      requestingAuthority: { id: 'FR-MOJ-AGRASC', name: 'AGRASC' },
      proceeding: request.proceeding,
      summaryOfFacts: 'Facts',
      actionsRequested: 'Freeze',
      assets: [{ kind: 'cash', description: 'Cash', holder: 'Hoxha' }],
    };
    expect(sorted(categoriesOf('assets', 'freeze', freeze))).toEqual([
      'assets',
      'identity',
      'intelligence',
    ]);
    const disposal = {
      victimCompensationConsidered: true,
      allocations: [{ recipient: 'victim-compensation', amount: { amount: 10, currency: 'EUR' } }],
      disposedOn: '2027-01-15',
    };
    expect(sorted(categoriesOf('assets', 'disposal', disposal))).toEqual(['assets']);
  });

  it('sees a JIT child-victims clause', () => {
    const FR = 'FR-MOJ-BEPI';
    const RO = 'RO-PICCJ-DIICOT';
    const agreement = {
      parties: [FR, RO],
      legalBasis: 'UNTOC 19',
      purpose: 'Objective',
      leader: { authorityId: FR, name: 'A', role: 'leader' },
      members: [
        { authorityId: FR, name: 'A', role: 'leader' },
        { authorityId: RO, name: 'B', role: 'member' },
      ],
      duration: { start: '2026-01-01', end: '2026-12-31' },
      extensionTerms: 'By agreement',
      informationExchange: 'Gateway',
      tasks: [{ authorityId: FR, tasks: 'All' }],
      childVictimsInvolved: false,
    };
    expect(sorted(categoriesOf('jit', 'agreement', agreement))).toEqual(['intelligence']);
    const withChildren = {
      ...agreement,
      childVictimsInvolved: true,
      childVictimsClause: 'Heard once',
    };
    expect(sorted(categoriesOf('jit', 'agreement', withChildren))).toEqual([
      'child-status',
      'intelligence',
    ]);
  });

  it('fails closed on a body that does not validate', () => {
    let caught: unknown;
    try {
      categoriesOf('mla', 'request', { ...request, hidden: { protectionStatus: 'refugee' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).code).toBe(ErrorCode.VALIDATION_FAILED);
  });
});
