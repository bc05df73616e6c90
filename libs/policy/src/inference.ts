import type { ConcernedPerson } from './context.js';
import type { PersonRef, PolicyInput } from './input.js';
import { asArray, asRecord, asString, asStrings, valueAt, type NamedPerson } from './persons.js';

/*
 * What the body says about measures against the persons it names, read so that H-7 and W-4 do not
 * depend on the drafter declaring it (`declarations.prosecutionOrDetentionOf`, `targets`). Each
 * source only adds a person to a set: a declaration, a role, a holder, a sentence. Nothing here
 * removes a person a declaration or another source put in.
 */

/** Persons a message seeks measures against, each with the reasons it was read so. */
export interface MeasuresAgainst {
  /** Prosecution, arrest, detention, extradition (H-7, W-4). */
  readonly prosecutionOrDetention: ReadonlyMap<ConcernedPerson, readonly string[]>;
  /** Searches, seizures, freezing, tracing, investigation directed against the person (W-4). */
  readonly targets: ReadonlyMap<ConcernedPerson, readonly string[]>;
}

/** Roles that name the person the proceedings are against (PERSON_ROLES of #libs/procedures). */
const PROSECUTED_ROLES = ['suspect', 'accused'];

/**
 * The fields that say what a request seeks, by procedure and message type (dotted paths). A
 * summary of facts is a narrative ("she was arrested at the border in 2024"), not a request:
 * its mentions are not read as what the message seeks.
 */
const MEASURE_FIELDS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  mla: {
    request: ['proceeding.subjectMatter', 'purpose', 'otherAssistance', 'particularProcedure'],
  },
  assets: Object.fromEntries(
    ['identify', 'trace', 'freeze', 'seize', 'confiscate', 'enforce-foreign-order'].map((type) => [
      type,
      ['proceeding.subjectMatter', 'actionsRequested', 'extentOfExecution'],
    ]),
  ),
  jit: {
    proposal: ['purpose'],
    'action-approval-request': ['description'],
    'operational-message': ['subject', 'text'],
  },
};

/** Asset requests, whose assets' holders the request is directed against. */
const ASSET_REQUESTS = [
  'identify',
  'trace',
  'freeze',
  'seize',
  'confiscate',
  'enforce-foreign-order',
];

/** The segments of a scanner field: `$.a.b[0]['c d']`, or `body.a.b.0`. */
export function fieldSegments(field: string): (string | number)[] | undefined {
  if (field.startsWith('body')) {
    return field
      .split('.')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  }
  if (!field.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  const step = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < field.length) {
    const at = step.lastIndex;
    const match = step.exec(field);
    if (!match || match.index !== at) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[3].replace(/\\(.)/g, '$1'));
  }
  return segments;
}

/** Case, accents, compatibility forms and invisible characters folded, for comparing names. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\p{M}\p{Default_Ignorable_Code_Point}]/gu, '')
    .toLowerCase();
}

const HAN = /\p{Script=Han}/u;
const WORD = /^[\p{L}\p{N}]+/u;

/** The folded tokens a person may be mentioned by: names, aliases and the case reference. */
function mentionTokens(body: PolicyInput['body'], person: NamedPerson): string[] {
  const names = asRecord(valueAt(body, [...person.segments, 'names']));
  const tokens = [
    ...asStrings(names?.givenNames),
    ...asStrings(names?.familyNames),
    ...asStrings(names?.aliases),
  ]
    .flatMap((name) => fold(name).split(/[^\p{L}\p{N}]+/u))
    .filter((token) => token.length >= 2 || HAN.test(token));
  if (person.reference !== undefined) tokens.push(fold(person.reference));
  return [...new Set(tokens)];
}

/**
 * Whether `word` (folded) names the token: the same word, or an inflected form of it (Russian
 * and Arabic add endings to names: Попова, Поповой), or for Chinese, the text at that point.
 */
function namesToken(word: string, rest: string, token: string): boolean {
  if (HAN.test(token)) return rest.startsWith(token);
  if (word === token) return true;
  if (token.length < 4) return false;
  const stem = token.slice(0, -1);
  return word.startsWith(stem) && word.length - token.length <= 2 && word.length >= token.length;
}

/** The named person mentioned at the start of `text` (after spaces and punctuation), if any. */
function mentionedAt(
  text: string,
  candidates: readonly { person: ConcernedPerson; tokens: readonly string[] }[],
): ConcernedPerson | undefined {
  const rest = fold(text).replace(/^[\s\p{P}]+/u, '');
  const word = WORD.exec(rest)?.[0] ?? '';
  // "Popescu's recruiter": the person is the owner of the object, not the object.
  if (/^['’]s(?![\p{L}\p{N}])/u.test(rest.slice(word.length))) return undefined;
  return candidates.find(({ tokens }) => tokens.some((token) => namesToken(word, rest, token)))
    ?.person;
}

/** Whether a text mentions the person anywhere (an asset's holder: "Ana Popescu", "P1"). */
function mentionedIn(text: string, tokens: readonly string[]): boolean {
  const folded = fold(text);
  const words = folded.split(/[^\p{L}\p{N}]+/u);
  return tokens.some((token) =>
    HAN.test(token) ? folded.includes(token) : words.some((word) => namesToken(word, word, token)),
  );
}

export function inferMeasures(
  input: PolicyInput,
  concerned: readonly ConcernedPerson[],
  resolve: (ref: PersonRef) => ConcernedPerson | undefined,
): MeasuresAgainst {
  const prosecution = new Map<ConcernedPerson, string[]>();
  const targets = new Map<ConcernedPerson, string[]>();
  const add = (map: Map<ConcernedPerson, string[]>, person: ConcernedPerson, reason: string) => {
    const reasons = map.get(person) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    map.set(person, reasons);
  };
  const declarations = input.declarations;

  for (const ref of declarations?.prosecutionOrDetentionOf ?? []) {
    const person = resolve(ref);
    if (person) add(prosecution, person, 'declared by the drafter (prosecutionOrDetentionOf)');
  }
  for (const ref of declarations?.targets ?? []) {
    const person = resolve(ref);
    if (person) add(targets, person, 'declared by the drafter (targets)');
  }

  const named = concerned.filter(
    (person): person is ConcernedPerson & { named: NamedPerson } => person.named !== undefined,
  );
  for (const person of named) {
    const role = person.named.roles.find((r) => PROSECUTED_ROLES.includes(r));
    if (role) add(prosecution, person, `named as ${role} (${person.named.path}.roles)`);
  }

  const candidates = named.map((person) => ({
    person,
    tokens: mentionTokens(input.body, person.named),
  }));

  const fields = MEASURE_FIELDS[input.procedure]?.[input.messageType] ?? [];
  for (const finding of input.textFindings ?? []) {
    const topic = finding.topic;
    if (topic !== 'prosecution-or-detention' && topic !== 'measure-against-person') continue;
    if (finding.index === undefined || finding.match === undefined) continue;
    const segments = fieldSegments(finding.field);
    if (!segments || !fields.includes(segments.join('.'))) continue;
    const text = asString(valueAt(input.body, segments));
    if (text === undefined) continue;
    const person = mentionedAt(text.slice(finding.index + finding.match.length), candidates);
    if (!person) continue;
    const reason = `${finding.field} reads "${finding.match.trim()} …" (${finding.language}), naming them`;
    add(topic === 'prosecution-or-detention' ? prosecution : targets, person, reason);
  }

  if (input.procedure === 'assets' && ASSET_REQUESTS.includes(input.messageType)) {
    asArray(input.body.assets).forEach((raw, position) => {
      const holder = asString(asRecord(raw)?.holder);
      if (holder === undefined) return;
      for (const { person, tokens } of candidates) {
        if (mentionedIn(holder, tokens)) {
          add(
            targets,
            person,
            `holder of the asset at body.assets.${position} (${input.messageType})`,
          );
        }
      }
    });
  }

  return { prosecutionOrDetention: prosecution, targets };
}
