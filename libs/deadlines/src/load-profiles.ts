import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { isConfigObject, onlyKnownKeys, visitProfileFiles } from '#libs/kernel';
import {
  DEADLINE_KINDS,
  DEADLINE_PROCEDURES,
  DURATION_UNITS,
  EXPIRY_ACTIONS,
  REMINDER_UNITS,
  type ConditionValue,
  type DeadlineProfile,
  type Duration,
  type ExtensionRule,
  type ProfileCondition,
  type ReminderOffset,
} from './profile.js';

/** The message-type grammar of the envelope payload. */
const MESSAGE_TYPE = /^[a-z][a-z0-9-]{1,63}$/;
const PROFILE_ID = /^[a-z][a-z0-9-]{1,63}$/;
/** A dot path of body field names: `urgentFreezing`, `urgency.urgent`. */
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9]{0,63}(\.[A-Za-z][A-Za-z0-9]{0,63}){0,7}$/;
/** Ten thousand of any unit: generous, but a typo of three extra zeros does not pass. */
const MAX_AMOUNT = 10_000;
const MAX_TEXT = 500;

/** The profiles in force, and a digest of them for the start-up audit entry. */
export class DeadlineProfiles {
  private readonly byId: ReadonlyMap<string, DeadlineProfile>;

  constructor(
    readonly profiles: readonly DeadlineProfile[],
    readonly digest: string,
  ) {
    this.byId = new Map(profiles.map((profile) => [profile.id, profile]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): DeadlineProfile {
    const profile = this.byId.get(id);
    if (profile === undefined) {
      throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, `no deadline profile ${id}`, [
        { field: 'profileId', profileId: id },
      ]);
    }
    return profile;
  }

  forProcedure(procedure: DeadlineProfile['procedure']): DeadlineProfile[] {
    return this.profiles.filter((profile) => profile.procedure === procedure);
  }
}

type Report = (field: string, message: string) => void;

function readText(value: unknown, field: string, report: Report): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    report(field, 'must be a non-empty string');
    return undefined;
  }
  if (value.length > MAX_TEXT) {
    report(field, `must be at most ${MAX_TEXT} characters`);
    return undefined;
  }
  return value;
}

function readPattern(value: unknown, pattern: RegExp, field: string, report: Report) {
  if (typeof value !== 'string' || !pattern.test(value)) {
    report(field, `must match ${pattern.source}`);
    return undefined;
  }
  return value;
}

function readBoolean(value: unknown, field: string, report: Report): boolean | undefined {
  if (typeof value !== 'boolean') {
    report(field, 'must be true or false');
    return undefined;
  }
  return value;
}

function readOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
  report: Report,
): T | undefined {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    report(field, `must be one of ${allowed.join(', ')}`);
    return undefined;
  }
  return value as T;
}

function readAmount(value: unknown, field: string, report: Report): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_AMOUNT) {
    report(field, `must be a whole number from 1 to ${MAX_AMOUNT}`);
    return undefined;
  }
  return value;
}

function readDuration<U extends string>(
  value: unknown,
  units: readonly U[],
  path: string,
  report: Report,
): { amount: number; unit: U } | undefined {
  if (!isConfigObject(value)) {
    report(path, 'must be an object { amount, unit }');
    return undefined;
  }
  onlyKnownKeys(value, ['amount', 'unit'], path, report);
  const amount = readAmount(value.amount, `${path}.amount`, report);
  const unit = readOneOf(value.unit, units, `${path}.unit`, report);
  return amount === undefined || unit === undefined ? undefined : { amount, unit };
}

function readMessageTypes(value: unknown, field: string, report: Report): string[] | undefined {
  if (!Array.isArray(value)) {
    report(field, 'must be an array of message types (may be empty)');
    return undefined;
  }
  const types = value.map((item, index) =>
    readPattern(item, MESSAGE_TYPE, `${field}[${index}]`, report),
  );
  if (types.some((type) => type === undefined)) return undefined;
  if (new Set(types).size !== types.length) report(field, 'lists a message type twice');
  return types as string[];
}

function readExtension(value: unknown, path: string, report: Report): ExtensionRule | undefined {
  if (!isConfigObject(value)) {
    report(path, 'must be an object { maxTimes, amount, unit, reasonRequired }');
    return undefined;
  }
  onlyKnownKeys(value, ['maxTimes', 'amount', 'unit', 'reasonRequired'], path, report);
  const maxTimes = readAmount(value.maxTimes, `${path}.maxTimes`, report);
  const duration = readDuration(
    { amount: value.amount, unit: value.unit },
    DURATION_UNITS,
    path,
    report,
  );
  if (value.reasonRequired !== true) {
    report(`${path}.reasonRequired`, 'must be true: an extension always needs reasons');
    return undefined;
  }
  return maxTimes === undefined || duration === undefined
    ? undefined
    : { maxTimes, ...duration, reasonRequired: true };
}

function readConditionValue(
  value: unknown,
  field: string,
  report: Report,
): ConditionValue | undefined {
  const scalar =
    typeof value === 'boolean' ||
    (typeof value === 'string' && value.length <= MAX_TEXT) ||
    (typeof value === 'number' && Number.isFinite(value));
  if (!scalar) {
    report(
      field,
      `must be true, false, a finite number or a string of at most ${MAX_TEXT} characters`,
    );
    return undefined;
  }
  return value;
}

/**
 * `{ message?, field, equals }` or `{ message?, field, notEquals }`: exactly one comparison, so a
 * condition says plainly when the clock starts. `message` defaults to the start event.
 */
function readCondition(
  value: unknown,
  startEvent: string | undefined,
  path: string,
  report: Report,
): ProfileCondition | undefined {
  if (!isConfigObject(value)) {
    report(path, 'must be an object { message?, field, equals } or { message?, field, notEquals }');
    return undefined;
  }
  onlyKnownKeys(value, ['message', 'field', 'equals', 'notEquals'], path, report);
  const message =
    value.message === undefined
      ? startEvent
      : readPattern(value.message, MESSAGE_TYPE, `${path}.message`, report);
  const field = readPattern(value.field, FIELD_PATH, `${path}.field`, report);
  const comparisons = (['equals', 'notEquals'] as const).filter((key) => key in value);
  if (comparisons.length !== 1) {
    report(path, 'needs exactly one of equals, notEquals');
    return undefined;
  }
  const [comparison] = comparisons;
  const expected = readConditionValue(value[comparison], `${path}.${comparison}`, report);
  if (message === undefined || field === undefined || expected === undefined) return undefined;
  return comparison === 'equals'
    ? { message, field, equals: expected }
    : { message, field, notEquals: expected };
}

const PROFILE_FIELDS = [
  'id',
  'kind',
  'procedure',
  'instrument',
  'source',
  'check',
  'serviceLevel',
  'startEvent',
  'when',
  'duration',
  'useSuggestedDeadline',
  'pauseOn',
  'resumeOn',
  'metBy',
  'extendOn',
  'extension',
  'reminders',
  'onExpiry',
  'notes',
] as const;

/** Validates one profile; returns undefined (after reporting) when anything is wrong. */
function readProfile(raw: unknown, path: string, report: Report): DeadlineProfile | undefined {
  if (!isConfigObject(raw)) {
    report(path, 'must be an object');
    return undefined;
  }
  let valid = true;
  const note: Report = (field, message) => {
    valid = false;
    report(field, message);
  };
  onlyKnownKeys(raw, PROFILE_FIELDS, path, note);
  const id = readPattern(raw.id, PROFILE_ID, `${path}.id`, note);
  const kind = readOneOf(raw.kind, DEADLINE_KINDS, `${path}.kind`, note);
  const procedure = readOneOf(raw.procedure, DEADLINE_PROCEDURES, `${path}.procedure`, note);
  const instrument = readText(raw.instrument, `${path}.instrument`, note);
  const source = readText(raw.source, `${path}.source`, note);
  const check = readBoolean(raw.check, `${path}.check`, note);
  const serviceLevel = readBoolean(raw.serviceLevel, `${path}.serviceLevel`, note);
  const startEvent = readPattern(raw.startEvent, MESSAGE_TYPE, `${path}.startEvent`, note);
  const when =
    raw.when === undefined ? undefined : readCondition(raw.when, startEvent, `${path}.when`, note);
  const duration: Duration | undefined = readDuration(
    raw.duration,
    DURATION_UNITS,
    `${path}.duration`,
    note,
  );
  const useSuggestedDeadline =
    raw.useSuggestedDeadline === undefined
      ? false
      : readBoolean(raw.useSuggestedDeadline, `${path}.useSuggestedDeadline`, note);
  const pauseOn = readMessageTypes(raw.pauseOn, `${path}.pauseOn`, note);
  const resumeOn = readMessageTypes(raw.resumeOn, `${path}.resumeOn`, note);
  const metBy = readMessageTypes(raw.metBy, `${path}.metBy`, note);
  const extendOn =
    raw.extendOn === undefined ? [] : readMessageTypes(raw.extendOn, `${path}.extendOn`, note);
  const extension =
    raw.extension === undefined
      ? undefined
      : readExtension(raw.extension, `${path}.extension`, note);
  const notes = raw.notes === undefined ? undefined : readText(raw.notes, `${path}.notes`, note);

  let reminders: ReminderOffset[] | undefined;
  if (!Array.isArray(raw.reminders)) {
    note(`${path}.reminders`, 'must be an array of { amount, unit } (may be empty)');
  } else {
    const read = raw.reminders.map((item, index) =>
      readDuration(item, REMINDER_UNITS, `${path}.reminders[${index}]`, note),
    );
    if (read.every((item) => item !== undefined)) reminders = read;
    const keys = new Set(read.map((item) => item && `${item.amount} ${item.unit}`));
    if (keys.size !== read.length) note(`${path}.reminders`, 'lists a reminder twice');
  }

  let onExpiry: DeadlineProfile['onExpiry'] | undefined;
  if (!Array.isArray(raw.onExpiry) || raw.onExpiry.length === 0) {
    note(`${path}.onExpiry`, `must be a non-empty array of ${EXPIRY_ACTIONS.join(', ')}`);
  } else {
    const read = raw.onExpiry.map((item, index) =>
      readOneOf(item, EXPIRY_ACTIONS, `${path}.onExpiry[${index}]`, note),
    );
    if (new Set(read).size !== read.length) note(`${path}.onExpiry`, 'lists an action twice');
    if (read.every((item) => item !== undefined)) onExpiry = read;
  }

  // Rules across fields.
  if (pauseOn && resumeOn && (pauseOn.length === 0) !== (resumeOn.length === 0)) {
    note(`${path}.resumeOn`, 'pauseOn and resumeOn must both be empty or both be set');
  }
  const overlap = [...(pauseOn ?? []), ...(startEvent ? [startEvent] : [])].filter((type) =>
    resumeOn?.includes(type),
  );
  if (overlap.length > 0) {
    note(`${path}.resumeOn`, `${overlap.join(', ')} cannot both start or pause and resume`);
  }
  if (startEvent && pauseOn?.includes(startEvent)) {
    note(`${path}.pauseOn`, `${startEvent} cannot both start and pause the clock`);
  }
  if (onExpiry?.includes('deemed-consent')) {
    // Silence as consent exists only in readmission agreements; anywhere else it would let a
    // requested State's silence authorise what it never agreed to.
    if (procedure !== 'nationality-verification') {
      note(`${path}.onExpiry`, 'deemed-consent is only for nationality-verification (readmission)');
    }
    if (!onExpiry.includes('negative-evidence')) {
      note(
        `${path}.onExpiry`,
        'deemed-consent needs negative-evidence, so both sides hold a record',
      );
    }
  }
  if (extendOn && extendOn.length > 0 && raw.extension === undefined) {
    note(`${path}.extendOn`, 'a clock extended by messages needs an extension rule');
  }
  if (kind === 'time-limit' && metBy?.length === 0) {
    note(`${path}.metBy`, 'a time limit names the message types that answer it');
  }
  if (kind === 'minimum-period' && metBy && metBy.length > 0) {
    note(`${path}.metBy`, 'a minimum period is never met by a message: it runs out');
  }
  if (kind === 'minimum-period' && onExpiry?.some((action) => action !== 'escalate')) {
    note(`${path}.onExpiry`, 'a minimum period can only escalate when it runs out');
  }

  if (
    !valid ||
    id === undefined ||
    kind === undefined ||
    procedure === undefined ||
    instrument === undefined ||
    source === undefined ||
    check === undefined ||
    serviceLevel === undefined ||
    startEvent === undefined ||
    duration === undefined ||
    useSuggestedDeadline === undefined ||
    pauseOn === undefined ||
    resumeOn === undefined ||
    metBy === undefined ||
    extendOn === undefined ||
    reminders === undefined ||
    onExpiry === undefined
  ) {
    return undefined;
  }
  return deepFreeze({
    id,
    kind,
    procedure,
    instrument,
    source,
    check,
    serviceLevel,
    startEvent,
    ...(when && { when }),
    duration,
    useSuggestedDeadline,
    pauseOn,
    resumeOn,
    metBy,
    extendOn,
    ...(extension && { extension }),
    reminders,
    onExpiry,
    ...(notes !== undefined && { notes }),
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads every `*.json` file of a folder, each `{ "profiles": [ ... ] }` (one file per instrument
 * family, with an optional `$comment`). All problems are collected and reported together, each
 * naming its file, field and profile, so that start-up fails once with the full list.
 */
export function loadDeadlineProfiles(folder: string): DeadlineProfiles {
  const root = resolve(folder);
  const problems: ErrorDetail[] = [];
  const profiles: DeadlineProfile[] = [];
  const definedIn = new Map<string, string>();
  const files = visitProfileFiles(root, problems, (raw, field, file) => {
    const id = isConfigObject(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    const report: Report = (at, message) =>
      problems.push({ file, field: at, message, ...(id !== undefined && { profileId: id }) });
    const profile = readProfile(raw, field, report);
    if (profile === undefined) return;
    const earlier = definedIn.get(profile.id);
    if (earlier !== undefined) {
      report(`${field}.id`, `${profile.id} is already defined in ${earlier}`);
      return;
    }
    definedIn.set(profile.id, file);
    profiles.push(profile);
  });
  if (!files) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `deadline profile folder ${root} cannot be read`,
      [{ file: root }],
    );
  }
  if (files.length === 0) {
    problems.push({ file: root, message: 'no deadline profile files (*.json) found' });
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `deadline profiles in ${root} are invalid: ${problems.length} problem(s)`,
      problems,
    );
  }
  const digest = createHash('sha256').update(JSON.stringify(profiles)).digest('hex');
  return new DeadlineProfiles(profiles, digest);
}
