import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { validationDetails } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { FACT_FIELDS, type CaseFacts } from '#libs/policy';
import { CaseFactsChangeDto } from './case-facts.dto.js';

/*
 * Every fact the engine reads is accepted by the API, with its nested records; a field the engine
 * does not read is refused, by name. The pipe is configured as the gateway configures it.
 */

const pipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new GatewayError(ErrorCode.VALIDATION_FAILED, 'schema', validationDetails(errors)),
});

const validate = (body: unknown) =>
  pipe.transform(body, { type: 'body', metatype: CaseFactsChangeDto }) as Promise<unknown>;

/** One value for every fact of FACT_FIELDS. */
const EVERY_FACT: CaseFacts = {
  persons: [
    {
      personKey: 'P1',
      personIndex: 0,
      subjectOfCase: true,
      label: 'victim V-3',
      nationalities: ['NG'],
      countryOfOrigin: 'NG',
      dateOfBirth: '2001-03',
      asylum: { status: 'pending', shieldFrom: ['NG', 'LY'] },
      nonRefoulementRiskOpen: false,
      riskAssessment: { done: true, at: '2026-02-20', outcome: 'no-risk', reference: 'RA-1' },
      openProceedings: [
        {
          kind: 'criminal',
          role: 'victim',
          open: true,
          releaseRequestedByPerson: 'REL-1',
          lawyerSignOff: 'LAW-1',
        },
      ],
      reflectionPeriod: { until: '2026-04-30' },
      child: {
        isChild: false,
        ageUncertain: true,
        bestInterestsDetermination: 'BID-1',
        guardian: { reference: 'G-1', independentOfRequestingAgency: true },
        viewsRecorded: 'VR-1',
        familyAssessment: 'FA-1',
      },
      victim: true,
      statusOffences: false,
      consents: [
        {
          category: 'health',
          purpose: 'Victim support',
          given: true,
          withdrawn: false,
          reference: 'C-1',
        },
      ],
      testimonyExists: true,
      compensationClaimOpen: true,
      returnVoluntary: false,
      identityPseudonymised: true,
      identityProtectiveMeasures: 'PM-7',
    },
  ],
  legalBasisRecorded: true,
  agreementId: 'FR-NG-2019',
  testimonyExists: false,
  asylumFlagsInCase: true,
  asylumAuthoritySignOff: 'OFPRA-SO-1',
  compensationClaimOpen: false,
  jitActions: [{ actionId: 'ACT-1', territoryState: 'NG', decision: 'approved' }],
};

function valueAt(facts: CaseFacts, field: string): unknown {
  let node: unknown = facts;
  for (const segment of field.split('.')) {
    const list = segment.endsWith('[]');
    node = (node as Record<string, unknown> | undefined)?.[list ? segment.slice(0, -2) : segment];
    if (list) node = (node as unknown[] | undefined)?.[0];
  }
  return node;
}

describe('the facts the API accepts', () => {
  it('has a value for every fact of the engine in its sample', () => {
    expect(FACT_FIELDS.filter((fact) => valueAt(EVERY_FACT, fact.field) === undefined)).toEqual([]);
  });

  it('accepts every fact the engine reads, nested records included, and keeps them all', async () => {
    const accepted = await validate({ ...EVERY_FACT, procedure: 'mla', justification: 'Why' });
    expect(JSON.parse(JSON.stringify(accepted))).toEqual({
      ...EVERY_FACT,
      procedure: 'mla',
      justification: 'Why',
    });
  });

  it('accepts null for any field: it removes it', async () => {
    const body = {
      agreementId: null,
      persons: [{ personKey: 'P1', asylum: null, child: null, consents: null }],
    };
    expect(JSON.parse(JSON.stringify(await validate(body)))).toEqual(body);
  });

  it.each([
    ['unknown', { unknown: true }],
    ['persons.0.asylumStatus', { persons: [{ personKey: 'P1', asylumStatus: 'pending' }] }],
    [
      'persons.0.riskAssessment.score',
      { persons: [{ personKey: 'P1', riskAssessment: { done: true, score: 3 } }] },
    ],
    [
      'persons.0.child.guardian.name',
      {
        persons: [
          {
            personKey: 'P1',
            child: { guardian: { independentOfRequestingAgency: true, name: 'X' } },
          },
        ],
      },
    ],
    [
      'jitActions.0.approvedBy',
      {
        jitActions: [
          { actionId: 'A', territoryState: 'DE', decision: 'approved', approvedBy: 'x' },
        ],
      },
    ],
  ])('refuses an unknown field, naming it: %s', async (field, body) => {
    const refusal = await validate(body).then(
      () => undefined,
      (error: GatewayError) => error,
    );
    expect(refusal?.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(refusal?.details.map((detail) => detail.field)).toContain(field);
  });

  it.each([
    [
      'persons.0.asylum.status',
      { persons: [{ personKey: 'P1', asylum: { status: 'maybe', shieldFrom: [] } }] },
    ],
    [
      'persons.0.asylum.shieldFrom',
      { persons: [{ personKey: 'P1', asylum: { status: 'pending', shieldFrom: ['Nigeria'] } }] },
    ],
    [
      'persons.0.riskAssessment.at',
      { persons: [{ personKey: 'P1', riskAssessment: { done: true, at: 'last week' } }] },
    ],
    [
      'persons.0.openProceedings.0.role',
      { persons: [{ personKey: 'P1', openProceedings: [{ kind: 'criminal', role: 'judge' }] }] },
    ],
    [
      'persons.0.reflectionPeriod.until',
      { persons: [{ personKey: 'P1', reflectionPeriod: { until: 'soon' } }] },
    ],
    [
      'persons.0.consents.0.category',
      {
        persons: [
          { personKey: 'P1', consents: [{ category: 'hobbies', purpose: 'x', given: true }] },
        ],
      },
    ],
    ['procedure', { procedure: 'extradition' }],
  ])('refuses a value the engine cannot read: %s', async (field, body) => {
    const refusal = await validate(body).then(
      () => undefined,
      (error: GatewayError) => error,
    );
    expect(refusal?.details.map((detail) => detail.field)).toContain(field);
  });
});
