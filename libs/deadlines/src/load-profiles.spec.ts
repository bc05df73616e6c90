import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadDeadlineProfiles } from './load-profiles.js';

const CONFIG = resolve('config/deadlines');

function failure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('the deadline profiles in config/deadlines (domain.md section 3)', () => {
  const profiles = loadDeadlineProfiles(CONFIG);

  it('defines every instrument of the table', () => {
    for (const id of [
      'untoc-mla',
      'eu-eio-acknowledgement',
      'eu-eio-recognition',
      'eu-eio-execution',
      'eu-eio-provisional-measures',
      'eu-freezing-recognition',
      'eu-freezing-execution',
      'eu-freezing-service-level',
      'eu-confiscation-recognition',
      'tip-nationality-verification',
      'readmission-western-balkans-10d',
      'readmission-western-balkans-12d',
      'readmission-western-balkans-14d',
      'readmission-russia-model',
      'readmission-accelerated',
      'jit-agreement',
      'reflection-period-coe',
      'residence-permit-temporary',
    ]) {
      expect(profiles.has(id)).toBe(true);
    }
    expect(profiles.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('follows the suggested deadline for UNTOC MLA, with a default labelled as a service level', () => {
    expect(profiles.get('untoc-mla')).toMatchObject({
      procedure: 'mla',
      source: 'UNTOC art. 18(24)',
      useSuggestedDeadline: true,
      serviceLevel: true,
      pauseOn: ['additional-information-request'],
      resumeOn: ['additional-information'],
      metBy: ['execution-result', 'refusal', 'withdrawal', 'no-longer-required'],
    });
  });

  it('encodes the figures of the table', () => {
    const figure = (id: string) => {
      const { duration, extension, check, serviceLevel, onExpiry } = profiles.get(id);
      return { duration, extension, check, serviceLevel, onExpiry };
    };
    expect(figure('eu-eio-acknowledgement')).toMatchObject({
      duration: { amount: 7, unit: 'calendar-days' },
      check: true,
    });
    expect(figure('eu-eio-recognition')).toMatchObject({
      duration: { amount: 30, unit: 'calendar-days' },
      extension: { maxTimes: 1, amount: 30, unit: 'calendar-days', reasonRequired: true },
      check: false,
    });
    expect(figure('eu-eio-execution')).toMatchObject({
      duration: { amount: 90, unit: 'calendar-days' },
    });
    expect(figure('eu-eio-provisional-measures')).toMatchObject({
      duration: { amount: 24, unit: 'hours' },
      check: true,
    });
    expect(figure('eu-freezing-recognition')).toMatchObject({
      duration: { amount: 48, unit: 'hours' },
      serviceLevel: false,
    });
    expect(figure('eu-freezing-execution')).toMatchObject({
      duration: { amount: 48, unit: 'hours' },
      serviceLevel: false,
    });
    expect(figure('eu-freezing-service-level')).toMatchObject({ serviceLevel: true });
    expect(figure('eu-confiscation-recognition')).toMatchObject({
      duration: { amount: 45, unit: 'calendar-days' },
      check: true,
    });
    for (const [id, amount] of [
      ['readmission-western-balkans-10d', 10],
      ['readmission-western-balkans-12d', 12],
      ['readmission-western-balkans-14d', 14],
    ] as const) {
      expect(figure(id)).toMatchObject({
        duration: { amount, unit: 'calendar-days' },
        check: true,
      });
    }
    const russia = figure('readmission-russia-model');
    expect(russia).toMatchObject({
      duration: { amount: 25, unit: 'calendar-days' },
      check: true,
      onExpiry: ['negative-evidence', 'deemed-consent'],
    });
    expect(russia.duration.amount + russia.extension!.amount * russia.extension!.maxTimes).toBe(60);
    expect(figure('readmission-accelerated')).toMatchObject({
      duration: { amount: 2, unit: 'working-days' },
      check: true,
    });
    expect(profiles.get('reflection-period-coe')).toMatchObject({
      kind: 'minimum-period',
      duration: { amount: 30, unit: 'calendar-days' },
    });
    expect(figure('tip-nationality-verification').serviceLevel).toBe(true);
  });

  it('runs the 48-hour freezing clocks only where the certificate marks freezing urgent (Reg. (EU) 2018/1805 art. 9)', () => {
    const urgent = { message: 'freeze', field: 'urgentFreezing', equals: true };
    expect(profiles.get('eu-freezing-recognition')).toMatchObject({
      startEvent: 'freeze',
      when: urgent,
    });
    // The execution clock starts with the recognition, but follows the certificate.
    expect(profiles.get('eu-freezing-execution')).toMatchObject({
      startEvent: 'acknowledgement',
      when: urgent,
    });
    expect(profiles.get('eu-freezing-service-level')).toMatchObject({
      startEvent: 'freeze',
      when: { message: 'freeze', field: 'urgentFreezing', notEquals: true },
      serviceLevel: true,
    });
    for (const id of ['eu-freezing-recognition', 'eu-freezing-execution']) {
      expect(profiles.get(id).source).toBe('Reg. (EU) 2018/1805 art. 9');
    }
  });

  it('lets silence count as consent only in readmission', () => {
    for (const profile of profiles.profiles) {
      if (profile.onExpiry.includes('deemed-consent')) {
        expect(profile.procedure).toBe('nationality-verification');
        expect(profile.id).toMatch(/^readmission-/);
      }
    }
  });

  it('hands out frozen profiles and fails clearly for an unknown id', () => {
    expect(Object.isFrozen(profiles.get('untoc-mla').duration)).toBe(true);
    const error = failure(() => profiles.get('no-such-profile'));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(profiles.forProcedure('assets').map((profile) => profile.id)).toEqual([
      'eu-freezing-recognition',
      'eu-freezing-execution',
      'eu-freezing-service-level',
      'eu-confiscation-recognition',
    ]);
  });
});

describe('loadDeadlineProfiles: invalid configuration', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'deadlines-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const valid = {
    id: 'sample',
    kind: 'time-limit',
    procedure: 'mla',
    instrument: 'Sample instrument',
    source: 'Sample art. 1',
    check: false,
    serviceLevel: false,
    startEvent: 'request',
    duration: { amount: 10, unit: 'calendar-days' },
    pauseOn: [],
    resumeOn: [],
    metBy: ['execution-result'],
    reminders: [{ amount: 2, unit: 'calendar-days' }],
    onExpiry: ['escalate'],
  };
  const write = (name: string, content: unknown) =>
    writeFileSync(
      join(folder, name),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
  const problems = () => {
    const error = failure(() => loadDeadlineProfiles(folder));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    return error.details;
  };

  it('accepts a valid file', () => {
    write('sample.json', { $comment: 'one profile', profiles: [valid] });
    const profiles = loadDeadlineProfiles(folder);
    expect(profiles.get('sample')).toMatchObject({ useSuggestedDeadline: false });
  });

  it('reads a condition, its message defaulting to the start event', () => {
    write('sample.json', {
      profiles: [
        { ...valid, when: { field: 'urgency.urgent', equals: true } },
        {
          ...valid,
          id: 'other',
          when: { message: 'acknowledgement', field: 'x', notEquals: 'no' },
        },
      ],
    });
    const profiles = loadDeadlineProfiles(folder);
    expect(profiles.get('sample').when).toEqual({
      message: 'request',
      field: 'urgency.urgent',
      equals: true,
    });
    expect(profiles.get('other').when).toEqual({
      message: 'acknowledgement',
      field: 'x',
      notEquals: 'no',
    });
  });

  it('names the file, the field and the profile of each problem, all at once', () => {
    write('a.json', {
      profiles: [
        { ...valid, duration: { amount: 10, unit: 'days' }, pauseon: ['x'] },
        { ...valid, id: 'second', check: 'yes', onExpiry: [] },
      ],
    });
    expect(problems()).toEqual([
      {
        file: join(folder, 'a.json'),
        field: 'profiles[0].pauseon',
        message: 'is not a known field',
        profileId: 'sample',
      },
      {
        file: join(folder, 'a.json'),
        field: 'profiles[0].duration.unit',
        message: 'must be one of hours, calendar-days, working-days',
        profileId: 'sample',
      },
      {
        file: join(folder, 'a.json'),
        field: 'profiles[1].check',
        message: 'must be true or false',
        profileId: 'second',
      },
      {
        file: join(folder, 'a.json'),
        field: 'profiles[1].onExpiry',
        message: 'must be a non-empty array of escalate, negative-evidence, deemed-consent',
        profileId: 'second',
      },
    ]);
  });

  it.each([
    [
      'an amount of zero',
      { duration: { amount: 0, unit: 'hours' } },
      'profiles[0].duration.amount',
    ],
    [
      'a fractional amount',
      { duration: { amount: 1.5, unit: 'hours' } },
      'profiles[0].duration.amount',
    ],
    ['a bad message type', { startEvent: 'Request!' }, 'profiles[0].startEvent'],
    ['a bad id', { id: 'Sample Profile' }, 'profiles[0].id'],
    ['an unknown procedure', { procedure: 'extradition' }, 'profiles[0].procedure'],
    ['an unknown kind', { kind: 'maximum' }, 'profiles[0].kind'],
    ['an empty source', { source: ' ' }, 'profiles[0].source'],
    [
      'a working-day reminder',
      { reminders: [{ amount: 1, unit: 'working-days' }] },
      'profiles[0].reminders[0].unit',
    ],
    [
      'the same reminder twice',
      {
        reminders: [
          { amount: 1, unit: 'hours' },
          { amount: 1, unit: 'hours' },
        ],
      },
      'profiles[0].reminders',
    ],
    [
      'an extension without required reasons',
      { extension: { maxTimes: 1, amount: 5, unit: 'calendar-days', reasonRequired: false } },
      'profiles[0].extension.reasonRequired',
    ],
    [
      'an extension without a limit',
      { extension: { amount: 5, unit: 'calendar-days', reasonRequired: true } },
      'profiles[0].extension.maxTimes',
    ],
    ['a pause without a resumption', { pauseOn: ['hold'] }, 'profiles[0].resumeOn'],
    [
      'a message type that both pauses and resumes',
      { pauseOn: ['hold'], resumeOn: ['hold'] },
      'profiles[0].resumeOn',
    ],
    [
      'deemed consent outside readmission',
      { onExpiry: ['negative-evidence', 'deemed-consent'] },
      'profiles[0].onExpiry',
    ],
    [
      'deemed consent without a negative evidence',
      { procedure: 'nationality-verification', onExpiry: ['deemed-consent'] },
      'profiles[0].onExpiry',
    ],
    [
      'a minimum period that sends a negative evidence',
      { kind: 'minimum-period', onExpiry: ['escalate', 'negative-evidence'] },
      'profiles[0].onExpiry',
    ],
    ['an action listed twice', { onExpiry: ['escalate', 'escalate'] }, 'profiles[0].onExpiry'],
    ['a condition with no comparison', { when: { field: 'urgent' } }, 'profiles[0].when'],
    [
      'a condition with both comparisons',
      { when: { field: 'urgent', equals: true, notEquals: false } },
      'profiles[0].when',
    ],
    [
      'a condition on a field that is no path',
      { when: { field: 'urgency..urgent', equals: true } },
      'profiles[0].when.field',
    ],
    [
      'a condition comparing with an object',
      { when: { field: 'urgent', equals: { yes: true } } },
      'profiles[0].when.equals',
    ],
    [
      'a condition on a bad message type',
      { when: { message: 'Freeze!', field: 'urgent', equals: true } },
      'profiles[0].when.message',
    ],
    [
      'a misspelt condition key',
      { when: { field: 'urgent', equal: true } },
      'profiles[0].when.equal',
    ],
  ])('refuses %s', (_label, change, field) => {
    write('sample.json', { profiles: [{ ...valid, ...change }] });
    expect(problems()).toContainEqual(expect.objectContaining({ field }));
  });

  it('refuses the same id in two files, naming the first', () => {
    write('a.json', { profiles: [valid] });
    write('b.json', { profiles: [valid] });
    expect(problems()).toEqual([
      {
        file: join(folder, 'b.json'),
        field: 'profiles[0].id',
        message: `sample is already defined in ${join(folder, 'a.json')}`,
        profileId: 'sample',
      },
    ]);
  });

  it('refuses a file that is not JSON or not { profiles }, and unknown top-level keys', () => {
    write('a.json', '{ "profiles": [');
    write('b.json', [valid]);
    write('c.json', { profiles: [valid], default: true });
    const found = problems();
    expect(found[0]).toMatchObject({ file: join(folder, 'a.json') });
    expect(found[0].message).toMatch(/^not valid JSON/);
    expect(found[1]).toMatchObject({ file: join(folder, 'b.json'), field: 'profiles' });
    expect(found[2]).toMatchObject({ file: join(folder, 'c.json'), field: '$.default' });
  });

  it('refuses an empty or missing folder', () => {
    expect(problems()).toEqual([
      { file: folder, message: 'no deadline profile files (*.json) found' },
    ]);
    const missing = join(folder, 'missing');
    expect(failure(() => loadDeadlineProfiles(missing)).message).toContain('cannot be read');
    mkdirSync(join(folder, 'sub.json'));
    expect(problems()).toEqual([{ file: join(folder, 'sub.json'), message: 'cannot be read' }]);
  });
});
