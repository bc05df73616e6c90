import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { isConfigObject, onlyKnownKeys, visitProfileFiles } from '#libs/kernel';
import { RetentionPolicy } from './due.js';
import {
  RETENTION_PROCEDURES,
  RETENTION_UNITS,
  type RetentionPeriod,
  type RetentionProcedure,
  type RetentionProfile,
} from './profile.js';

const PROFILE_ID = /^[a-z][a-z0-9-]{1,63}$/;
const STATUS = /^[a-z][a-z0-9-]{1,63}$/;
const MAX_AMOUNT = 10_000;
const MAX_TEXT = 500;

type Report = (field: string, message: string) => void;

function readPeriod(value: unknown, field: string, report: Report): RetentionPeriod | undefined {
  if (!isConfigObject(value)) {
    report(field, 'must be an object { "amount": n, "unit": ... }');
    return undefined;
  }
  onlyKnownKeys(value, ['amount', 'unit'], field, report);
  const { amount, unit } = value;
  if (
    typeof amount !== 'number' ||
    !Number.isInteger(amount) ||
    amount < 1 ||
    amount > MAX_AMOUNT
  ) {
    report(`${field}.amount`, `must be a whole number from 1 to ${MAX_AMOUNT}`);
    return undefined;
  }
  if (!RETENTION_UNITS.includes(unit as never)) {
    report(`${field}.unit`, `must be one of ${RETENTION_UNITS.join(', ')}`);
    return undefined;
  }
  return { amount, unit: unit as RetentionPeriod['unit'] };
}

function readProfile(raw: unknown, path: string, report: Report): RetentionProfile | undefined {
  if (!isConfigObject(raw)) {
    report(path, 'must be an object');
    return undefined;
  }
  onlyKnownKeys(
    raw,
    [
      '$comment',
      'id',
      'procedure',
      'legalBasis',
      'check',
      'closedStatuses',
      'contentAfterClose',
      'files',
    ],
    path,
    report,
  );
  let valid = true;
  const fail = (field: string, message: string) => {
    valid = false;
    report(`${path}.${field}`, message);
  };
  if (typeof raw.id !== 'string' || !PROFILE_ID.test(raw.id))
    fail('id', 'must match [a-z][a-z0-9-]+');
  if (!RETENTION_PROCEDURES.includes(raw.procedure as never)) {
    fail('procedure', `must be one of ${RETENTION_PROCEDURES.join(', ')}`);
  }
  if (
    typeof raw.legalBasis !== 'string' ||
    raw.legalBasis.trim() === '' ||
    raw.legalBasis.length > MAX_TEXT
  ) {
    fail('legalBasis', `must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  if (raw.check !== undefined && typeof raw.check !== 'boolean')
    fail('check', 'must be true or false');
  const statuses = raw.closedStatuses;
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    !statuses.every((s) => typeof s === 'string' && STATUS.test(s))
  ) {
    fail('closedStatuses', 'must be a non-empty list of request statuses');
  }
  const content = readPeriod(raw.contentAfterClose, `${path}.contentAfterClose`, report);
  if (!content) valid = false;
  let files: RetentionProfile['files'];
  if (raw.files !== undefined) {
    if (!isConfigObject(raw.files)) {
      fail('files', 'must be an object { "maxAge": ..., "onceDownloaded": ... }');
    } else {
      onlyKnownKeys(raw.files, ['maxAge', 'onceDownloaded'], `${path}.files`, report);
      const maxAge = readPeriod(raw.files.maxAge, `${path}.files.maxAge`, report);
      if (typeof raw.files.onceDownloaded !== 'boolean') {
        fail('files.onceDownloaded', 'must be true or false');
      }
      if (maxAge && typeof raw.files.onceDownloaded === 'boolean') {
        files = { maxAge, onceDownloaded: raw.files.onceDownloaded };
      } else valid = false;
    }
  }
  if (!valid || !content) return undefined;
  return {
    id: raw.id as string,
    procedure: raw.procedure as RetentionProcedure,
    legalBasis: (raw.legalBasis as string).trim(),
    check: raw.check === true,
    closedStatuses: statuses as string[],
    contentAfterClose: content,
    ...(files && { files }),
  };
}

/** The profiles in force, and a digest of them for the start-up log. */
export interface LoadedRetention {
  policy: RetentionPolicy;
  digest: string;
}

/**
 * Reads every `*.json` of the folder (`{ "profiles": [ ... ] }`): exactly one profile per
 * procedure, unknown fields refused, so that a typo cannot keep (or erase) content silently.
 */
export function loadRetentionProfiles(
  folder: string,
  /** The statuses a request is settled in: no message or event but its close leaves them. */
  settledStatusesOf: (procedure: RetentionProcedure) => readonly string[],
): LoadedRetention {
  const root = resolve(folder);
  const problems: ErrorDetail[] = [];
  const profiles: RetentionProfile[] = [];
  const files = visitProfileFiles(root, problems, (raw, field, _file, report) => {
    const profile = readProfile(raw, field, report);
    if (!profile) return;
    // Erasing the state of a request a message may still move would break the procedure.
    const settled = settledStatusesOf(profile.procedure);
    for (const status of profile.closedStatuses.filter((s) => !settled.includes(s))) {
      report(
        `${field}.closedStatuses`,
        `${status} is not a status a ${profile.procedure} request is settled in`,
      );
    }
    profiles.push(profile);
  });
  if (!files) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `retention profile folder ${root} cannot be read`,
      [{ file: root }],
    );
  }
  for (const procedure of RETENTION_PROCEDURES) {
    const count = profiles.filter((p) => p.procedure === procedure).length;
    if (count !== 1) {
      problems.push({
        file: root,
        field: 'procedure',
        message: `${procedure} needs exactly one retention profile, found ${count}`,
      });
    }
  }
  const ids = profiles.map((p) => p.id);
  for (const id of ids.filter((id, i) => ids.indexOf(id) !== i)) {
    problems.push({ file: root, field: 'id', message: `${id} is defined twice` });
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `retention profiles in ${root} are invalid: ${problems.length} problem(s)`,
      problems,
    );
  }
  const digest = createHash('sha256').update(JSON.stringify(profiles)).digest('hex');
  return { policy: new RetentionPolicy(profiles), digest };
}
