import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { loadCheckedDeadlineProfiles } from './deadline-profiles.js';

const FREEZING = resolve('config/deadlines/eu-freezing-confiscation.json');

function failure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('loadCheckedDeadlineProfiles', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'checked-deadlines-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** The freezing profiles as shipped, with one condition changed. */
  function withCondition(id: string, when: Record<string, unknown>): void {
    const document = JSON.parse(readFileSync(FREEZING, 'utf8')) as {
      profiles: Array<Record<string, unknown>>;
    };
    for (const profile of document.profiles) if (profile.id === id) profile.when = when;
    writeFileSync(join(folder, 'freezing.json'), JSON.stringify(document));
  }

  it('accepts the shipped profiles, whose conditions read fields the bodies have', () => {
    expect(loadCheckedDeadlineProfiles('config/deadlines').has('eu-freezing-service-level')).toBe(
      true,
    );
  });

  it('refuses a condition on a field the message body does not have (a typo would stop the 48-hour clock)', () => {
    withCondition('eu-freezing-execution', {
      message: 'freeze',
      field: 'urgentFreeze',
      equals: true,
    });
    const error = failure(() => loadCheckedDeadlineProfiles(folder));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(error.details).toEqual([
      {
        profileId: 'eu-freezing-execution',
        field: 'when.field',
        message: 'assets freeze bodies have no field urgentFreeze',
      },
    ]);
  });

  it('refuses a condition on a message type the procedure does not have', () => {
    withCondition('eu-freezing-recognition', {
      message: 'freezing-order',
      field: 'urgentFreezing',
      equals: true,
    });
    expect(failure(() => loadCheckedDeadlineProfiles(folder)).details).toEqual([
      {
        profileId: 'eu-freezing-recognition',
        field: 'when.message',
        message: 'freezing-order is not a assets message type',
      },
    ]);
  });
});
