import type { DataCategory } from '#libs/procedures';

/*
 * The persons a message names, read from its (validated) body: `persons[]` (PersonSchema: MLA,
 * assets, JIT), `person` (the subject of a nationality verification) and, after them, the family
 * members those persons list. Register hits and person facts refer to this order.
 */

export type NamedPersonKind = 'person' | 'verification-subject' | 'family-member';

export interface NamedPerson {
  /** Position in `personsIn(body)`. */
  readonly index: number;
  readonly kind: NamedPersonKind;
  /** Body path: `body.persons.0`, `body.person`, `body.persons.0.familyMembers.1`. */
  readonly path: string;
  readonly segments: readonly (string | number)[];
  /** The person's `reference` within the case (`P1`), when the body gives one. */
  readonly reference?: string;
  readonly roles: readonly string[];
  readonly nationalities: readonly string[];
  /** States that issued the person's passport or national identity card. */
  readonly documentStates: readonly string[];
  readonly dateOfBirth?: string;
  /** Fields of the identity category present (names, date and place of birth, documents...). */
  readonly identityFields: readonly string[];
  readonly lastKnownLocation: boolean;
  readonly health?: { readonly consentReference?: string };
  readonly statusOffences: boolean;
  readonly protectionStatus?: string;
  /** For a family member: the index of the person who lists them. */
  readonly familyOf?: number;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function asStrings(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string');
}

export function present(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

const IDENTITY_FIELDS = [
  'names',
  'sex',
  'dateOfBirth',
  'placeOfBirth',
  'nationalities',
  'documents',
] as const;
const NATIONALITY_DOCUMENTS = ['passport', 'national-id'];

export function stateCode(code: string): string {
  return code.trim().toUpperCase();
}

function readPerson(
  raw: Record<string, unknown>,
  index: number,
  kind: NamedPersonKind,
  segments: (string | number)[],
  familyOf?: number,
): NamedPerson {
  const documents = asArray(raw.documents).map(asRecord);
  const documentStates = documents
    .filter((document) => NATIONALITY_DOCUMENTS.includes(String(document?.kind)))
    .map((document) => asString(document?.issuingState))
    .filter((state): state is string => state !== undefined)
    .map(stateCode);
  const health = asRecord(raw.health);
  const reference = asString(raw.reference);
  const dateOfBirth = asString(raw.dateOfBirth);
  const protectionStatus = asString(raw.protectionStatus);
  return {
    index,
    kind,
    path: ['body', ...segments].join('.'),
    segments,
    ...(reference !== undefined && { reference }),
    roles: asStrings(raw.roles),
    nationalities: asStrings(raw.nationalities).map(stateCode),
    documentStates,
    ...(dateOfBirth !== undefined && { dateOfBirth }),
    identityFields: IDENTITY_FIELDS.filter((field) => present(raw[field])),
    lastKnownLocation: present(raw.lastKnownLocation),
    ...(health !== undefined && {
      health: { consentReference: asString(health.consentReference) },
    }),
    statusOffences: asArray(raw.criminalRecord).some(
      (entry) => asRecord(entry)?.statusOffence === true,
    ),
    ...(protectionStatus !== undefined && { protectionStatus }),
    ...(familyOf !== undefined && { familyOf }),
  };
}

/** The persons a body names, in a stable order (register hits and person facts refer to it). */
export function personsIn(body: Readonly<Record<string, unknown>>): NamedPerson[] {
  const primary: NamedPerson[] = [];
  asArray(body.persons).forEach((raw, position) => {
    const person = asRecord(raw);
    if (person) primary.push(readPerson(person, primary.length, 'person', ['persons', position]));
  });
  const subject = asRecord(body.person);
  if (subject)
    primary.push(readPerson(subject, primary.length, 'verification-subject', ['person']));
  const all = [...primary];
  for (const person of primary) {
    const raw = asRecord(valueAt(body, person.segments));
    asArray(raw?.familyMembers).forEach((member, position) => {
      const record = asRecord(member);
      if (!record) return;
      all.push(
        readPerson(
          record,
          all.length,
          'family-member',
          [...person.segments, 'familyMembers', position],
          person.index,
        ),
      );
    });
  }
  return all;
}

export function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** Categories the persons of a body reveal, whatever the caller's classification says. */
export function personCategories(persons: readonly NamedPerson[]): Set<DataCategory> {
  const categories = new Set<DataCategory>();
  for (const person of persons) {
    if (person.identityFields.length > 0) categories.add('identity');
    if (person.protectionStatus !== undefined) categories.add('asylum-protection');
    if (person.health) categories.add('health');
    if (person.lastKnownLocation) categories.add('location');
    if (person.statusOffences) categories.add('status-offences');
    if (person.kind === 'family-member') categories.add('family');
    if (person.roles.includes('child') || person.roles.includes('age-uncertain')) {
      categories.add('child-status');
    }
  }
  return categories;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/**
 * Whether a person born on `dateOfBirth` (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a timestamp) may be
 * under 18 at `now`: a partial date counts from its latest possible day. An unreadable date may
 * be anything, so it may be a child's.
 */
export function mayBeUnder18(dateOfBirth: string, now: Date): boolean {
  const match = PARTIAL_DATE.exec(dateOfBirth.trim());
  if (!match) return true;
  const year = Number(match[1]);
  const month = match[2] === undefined ? 12 : Number(match[2]);
  const lastDayOfMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = match[3] === undefined ? lastDayOfMonth : Number(match[3]);
  const eighteenth = Date.UTC(year + 18, month - 1, day);
  return now.getTime() < eighteenth;
}
