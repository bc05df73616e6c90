import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, GatewayError } from '#libs/errors';
import { settledStatusesOf } from '#libs/procedures';
import { loadRetentionProfiles } from './load-profiles.js';

const CONFIG = resolve('config/retention');

function failure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

function folderWith(profiles: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'retention-profiles-'));
  writeFileSync(join(dir, 'profiles.json'), JSON.stringify({ profiles }));
  return dir;
}

const shipped = (
  JSON.parse(readFileSync(join(CONFIG, 'profiles.json'), 'utf8')) as {
    profiles: Array<Record<string, unknown>>;
  }
).profiles;

describe('the retention profiles in config/retention', () => {
  it('has one profile per procedure, and the JIT files limit of Reg. (EU) 2023/969', () => {
    const { policy, digest } = loadRetentionProfiles(CONFIG, settledStatusesOf);
    expect(policy.profiles.map((p) => p.procedure).sort()).toEqual([
      'assets',
      'jit',
      'mla',
      'nationality-verification',
    ]);
    expect(policy.forProcedure('jit')?.files).toEqual({
      maxAge: { amount: 4, unit: 'weeks' },
      onceDownloaded: true,
    });
    expect(policy.forProcedure('jit')?.legalBasis).toContain('2023/969');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a status the procedure does not have, an unknown field and a missing procedure', () => {
    const dir = folderWith([
      { ...shipped[0], closedStatuses: ['closd', 'in-execution'] },
      { ...shipped[1], contentAfterClose: { amount: 4, unit: 'fortnights' } },
      { ...shipped[2], keepForever: true },
    ]);
    try {
      const error = failure(() => loadRetentionProfiles(dir, settledStatusesOf));
      expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
      const messages = error.details.map((d) => `${String(d.field)}: ${String(d.message)}`);
      expect(messages).toEqual(
        expect.arrayContaining([
          'profiles[0].closedStatuses: closd is not a status a mla request is settled in',
          'profiles[0].closedStatuses: in-execution is not a status a mla request is settled in',
          expect.stringMatching(/^profiles\[1\]\.contentAfterClose\.unit: must be one of/),
          'profiles[2].keepForever: is not a known field',
          'procedure: assets needs exactly one retention profile, found 0',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
