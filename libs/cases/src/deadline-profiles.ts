import { resolve } from 'node:path';
import { loadDeadlineProfiles, type DeadlineProfiles } from '#libs/deadlines';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { readSetting } from '#libs/node-config';
import { hasBodyField, messageTypesOf } from '#libs/procedures';

/**
 * Loads config/deadlines (or GATEWAY_DEADLINES_DIR) and checks every message type a profile names
 * against its procedure's message types, and the body field its condition reads against that
 * message's schema, so that a typo cannot leave a clock that never starts (or always does).
 * Minimum periods (reflection period, residence permit) are started by case facts, not messages.
 */
export function loadCheckedDeadlineProfiles(
  folder: string = readSetting('GATEWAY_DEADLINES_DIR')!,
): DeadlineProfiles {
  const profiles = loadDeadlineProfiles(resolve(folder));
  const problems: ErrorDetail[] = [];
  for (const profile of profiles.profiles) {
    if (profile.kind !== 'time-limit') continue;
    const known = new Set<string>(messageTypesOf(profile.procedure));
    const named: Array<[string, readonly string[]]> = [
      ['startEvent', [profile.startEvent]],
      ['pauseOn', profile.pauseOn],
      ['resumeOn', profile.resumeOn],
      ['metBy', profile.metBy],
      ['when.message', profile.when ? [profile.when.message] : []],
    ];
    for (const [field, types] of named) {
      for (const type of types.filter((t) => !known.has(t))) {
        problems.push({
          profileId: profile.id,
          field,
          message: `${type} is not a ${profile.procedure} message type`,
        });
      }
    }
    const when = profile.when;
    if (
      when &&
      known.has(when.message) &&
      !hasBodyField(profile.procedure, when.message, when.field)
    ) {
      problems.push({
        profileId: profile.id,
        field: 'when.field',
        message: `${profile.procedure} ${when.message} bodies have no field ${when.field}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      'deadline profiles name unknown message types or body fields',
      problems,
    );
  }
  return profiles;
}

export const DEADLINE_PROFILES = Symbol('DEADLINE_PROFILES');

/** Profiles a request starts when its opening message names none. */
export const DEFAULT_DEADLINE_PROFILES: Record<string, string[]> = {
  mla: ['untoc-mla'],
  jit: ['jit-agreement'],
  'nationality-verification': ['tip-nationality-verification'],
  assets: [],
};
