import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { v7 as uuidv7 } from 'uuid';
import {
  generateAuthorityKeyPair,
  openEnvelope,
  readPublicKey,
  sealEnvelope,
  unlockPrivateKey,
  type EnvelopePayload,
  type HandlingConditions,
  type OpeningPolicy,
  type PrivateKey,
  type Procedure,
  type PublicKey,
} from '#libs/envelope';
import { GatewayError } from '#libs/errors';
import { mlaRequest, repoRoot, sealThroughPolicy, verificationRequest } from '#tools/local-network';
import {
  authorisePayload,
  evaluate,
  loadPolicySettings,
  personsIn,
  withRequiredHandling,
  type CaseFacts,
  type Channel,
  type PartyRef,
  type PersonFacts,
  type PolicyDecision,
  type PolicySettings,
} from '#libs/policy';
import { categoriesOf, validateMessageBody } from '#libs/procedures';
import {
  bodyTexts,
  checkPersons,
  KEY_KINDS,
  KEY_VERSION,
  ProtectedPersonsIndex,
  registrationHashes,
  scanBody,
  textHashes,
  type RegistrationIdentifiers,
} from '#libs/protection-register';
import { identifiersAt } from '#libs/safeguards';
import { percentile, progressOf, round } from './support.js';

const progress = progressOf('bench:policy');

/*
 * The policy decision point's cost per outgoing message (domain.md 4), measured in process on
 * realistic messages against a protected-persons register of a million entries, and compared with
 * sealing and opening the same message. The work per message is PolicyDecisionPoint.decide's
 * (libs/safeguards/src/policy-decision-point.ts) minus the case-facts read from PostgreSQL (the
 * facts are held in memory here): the persons the body names and their identifiers, the register
 * check (checkPersons), the free-text scan (scanBody), the data categories (categoriesOf, which
 * validates the body against its schema), then evaluate once per recipient.
 *
 * The register: a random 32-byte secret, registrationHashes of synthetic registrations (names in
 * several scripts and spellings, dates of birth in the formats officers use, passports), computed
 * in worker threads, then loaded into a ProtectedPersonsIndex as a node loads it at start-up.
 *
 * Prints one JSON document on stdout; progress goes to stderr. Bounded: --seconds for the
 * decision loop, --seal-ops and --seal-seconds for sealing and opening.
 */

const SENDER: PartyRef = { authorityId: 'FR-MOJ-BEPI', state: 'FR', kind: 'central-authority' };
const AGREEMENT = 'FR-NG-readmission-arrangement';
const JIT_REQUEST = uuidv7();
const WARMUP_DECISIONS = 2_000;
const SEAL_WARMUP = 5;
const HASH_BATCH = 5_000;
const DAY_MS = 86_400_000;
/** The node's policy settings, as SafeguardsModule loads them (GATEWAY_POLICY_DIR, default). */
let SETTINGS: PolicySettings | undefined;

// -------------------------------------------------------------------------------------------------
// Deterministic synthetic people: the same index gives the same person in every thread.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];
const chance = (random: Random, p: number) => random() < p;
const between = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

interface Region {
  readonly state: string;
  readonly weight: number;
  readonly given: readonly string[];
  readonly family: readonly string[];
  readonly places: readonly string[];
  readonly passportPrefix: string;
  /** Syllables family names are also composed of (the real pool alone is far too small). */
  readonly syllables?: readonly [readonly string[], readonly string[], readonly string[]];
  /** Parts given names are composed of (`Thi` + `Huong`, `Xiao` + `mei`), and their separator. */
  readonly givenParts?: readonly [readonly string[], readonly string[], string];
  /** Relative frequencies of `family` when a few names are most of the population (Nguyen). */
  readonly familyWeights?: readonly number[];
}

/** A list written `a|b|c`: names may contain spaces. */
const list = (text: string): string[] => text.split('|');

/** Origin countries of victims identified in Europe; names as files write them, in several scripts. */
const REGIONS: readonly Region[] = [
  {
    state: 'NG',
    weight: 40,
    given: list(
      'Blessing|Chiamaka|Adaeze|Ngozi|Chinedu|Emeka|Fatimah|Aisha|Joy|Precious|Favour|Gift|Esther|' +
        'Oluwaseun|Funmilayo|Ifeoma|Nneka|Amaka|Tochukwu|Ikechukwu|Yetunde|Abimbola|Kehinde|' +
        'Taiwo|Hauwa|Zainab|Grace|Mercy|Peace|Success',
    ),
    family: list(
      'Okafor|Okonkwo|Eze|Bello|Adeyemi|Obi|Nwosu|Okeke|Ibrahim|Abubakar|Olawale|Adebayo|' +
        'Ogunleye|Nnamdi|Chukwu|Uche|Okoro|Ojo|Balogun|Danjuma|Edo|Igwe|Onyeka|Akande|Lawal|' +
        'Musa|Suleiman|Oyelaran|Babatunde|Ekwueme',
    ),
    syllables: [
      list('O|A|E|I|U|Nw|Ch|Ad|Ol|Ok|Ib|Ez|Ug|Ob|Ak|On'),
      list('ko|ba|de|la|ke|nwa|chu|ye|ji|lu|gwu|mo|ri|so|ne'),
      list('ro|nye|mi|ke|ju|wa|du|fo|ye|zie|chi|bi|gu|nna|la'),
    ],
    places: list('Benin City|Lagos|Enugu|Kano|Onitsha|Abuja'),
    passportPrefix: 'A',
  },
  {
    state: 'ER',
    weight: 10,
    given: list('Tesfaye|Selam|Helen|Senait|Yonas|Mulu|Feven|Rahel|Meron'),
    family: list('Haile|Tekle|Gebremedhin|Berhane|Kidane|Abraha|Mehari|Habte'),
    syllables: [
      list('Gh|Te|Ha|Be|Ke|Me|Ab|Ts|We|Yo|Ne|Se'),
      list('bre|sfa|i|rha|da|ha|le|ge|mi|ko|ra'),
      list('hiwet|mariam|ne|yes|negus|zghi|tu|medhin|selassie|kidan'),
    ],
    places: list('Asmara|Keren|Massawa'),
    passportPrefix: 'E',
  },
  {
    state: 'UA',
    weight: 10,
    given: list('Олена|Марія|Юлія|Оксана|Olena|Mariia|Yuliia|Iryna|Kateryna'),
    family: list('Петренко|Коваленко|Шевченко|Kovalenko|Bondarenko|Melnyk|Moroz'),
    syllables: [
      list('Kov|Shev|Bond|Tkach|Krav|Mel|Lys|Sav|Pol|Hor|Zin|Pet'),
      list('al|ar|ch|en|ov|ush|yn|ik|an'),
      list('enko|uk|chuk|ko|yshyn|iak|ets|ovych|ska'),
    ],
    places: list('Kyiv|Kharkiv|Odesa|Dnipro'),
    passportPrefix: 'FE',
  },
  {
    state: 'VN',
    weight: 15,
    given: list('Thi Lan|Thi Huong|Van Minh|Thi Mai|Thi Thu|Van Hung|Ngoc Anh'),
    givenParts: [
      list('Thi|Van|Ngoc|Minh|Duc|Quang|Thanh|Hong|Kim|Bao|Xuan|Huu'),
      list(
        'Lan|Huong|Mai|Thu|Hoa|Anh|Hanh|Nam|Hung|Linh|Trang|Yen|Phuong|Dung|Tuan|Long|Thao|Ha|' +
          'Nga|Quynh|Hien|Tam|Khanh|Loan|Nhung|Oanh|Son|Thuy|Tien|Trinh|Uyen|Vy|Binh|Cuong',
      ),
      ' ',
    ],
    family: list('Nguyen|Tran|Le|Pham|Hoang|Phan|Vu|Dang|Bui|Do|Ho|Ngo'),
    familyWeights: [38, 11, 9.5, 7, 5, 4.5, 4, 2, 2, 1.4, 1.3, 1.3],
    places: list('Nghe An|Ha Tinh|Hai Phong|Quang Binh'),
    passportPrefix: 'C',
  },
  {
    state: 'SY',
    weight: 10,
    given: list('محمد|فاطمة|Mohammed|Fatima|Ahmad|Aisha|Khalid|Mariam|Omar'),
    family: list('الحسن|Al-Hassan|Haddad|Khoury|Mansour|Nasser|Saleh|Darwish'),
    syllables: [
      list('Al-|Abu |Bani |||'),
      list('Ha|Sa|Ka|Na|Ma|Ja|Ra|Da|Qa|Ta'),
      list('ddad|lim|bbagh|war|sri|tib|mdan|shid|dawi|rhan|lloum'),
    ],
    places: list('Aleppo|Homs|Idlib'),
    passportPrefix: 'N',
  },
  {
    state: 'AL',
    weight: 8,
    given: list('Elira|Arta|Besa|Drita|Flutura|Genta|Klea|Ardit'),
    family: list('Hoxha|Krasniqi|Gashi|Berisha|Shehu|Dervishi|Leka'),
    syllables: [
      list('Ho|Kra|Ga|Be|She|Der|Le|Mu|Ci|Do|Pre'),
      list('xh|sn|sh|r|v|ll|k|n'),
      list('a|iqi|i|isha|u|aj|eti|ollari'),
    ],
    places: list('Tirana|Elbasan|Shkodër'),
    passportPrefix: 'BA',
  },
  {
    state: 'CN',
    weight: 7,
    given: list('Li Na|Wang Fang|Zhang Wei|Liu Yang|Chen Jing|李娜|王芳'),
    givenParts: [
      list('Xiao|Li|Mei|Jing|Hui|Yan|Ying|Hong|Xue|Jia|Yu|Wen|Ling|Fang|Lan|Qian|Na|Min|Juan|Xiu'),
      list('mei|hua|ying|lan|fang|jie|xia|yun|li|qing|rong|ping|zhen|ning|hong|yan|wei|jun|tao|bo'),
      '',
    ],
    family: list('Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Lin'),
    familyWeights: [7.2, 7.1, 6.8, 5.4, 4.6, 3.1, 2.5, 2.3, 2.1, 1.9, 1.2],
    places: list('Wenzhou|Fuqing|Shenyang'),
    passportPrefix: 'E',
  },
];
const TOTAL_WEIGHT = REGIONS.reduce((sum, region) => sum + region.weight, 0);
const MONTHS = list(
  'January|February|March|April|May|June|July|August|September|October|November|December',
);

function regionOf(random: Random): Region {
  let roll = random() * TOTAL_WEIGHT;
  for (const region of REGIONS) {
    roll -= region.weight;
    if (roll < 0) return region;
  }
  return REGIONS[0];
}

/** A person as the asylum authority's file has them, and how an officer elsewhere writes them. */
interface SyntheticPerson {
  readonly region: Region;
  readonly given: string[];
  readonly family: string[];
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** How much of the date of birth is known. */
  readonly precision: 'day' | 'month' | 'year';
  readonly passport?: string;
  readonly alias?: string;
  readonly female: boolean;
  readonly random: Random;
}

function givenName(random: Random, region: Region): string {
  if (region.givenParts && chance(random, 0.85)) {
    const [a, b, separator] = region.givenParts;
    return `${pick(random, a)}${separator}${pick(random, b)}`;
  }
  return pick(random, region.given);
}

function familyName(random: Random, region: Region): string {
  if (region.familyWeights) {
    const total = region.familyWeights.reduce((sum, weight) => sum + weight, 0);
    let roll = random() * total;
    for (const [i, weight] of region.familyWeights.entries()) {
      roll -= weight;
      if (roll < 0) return region.family[i];
    }
  }
  if (region.syllables && chance(random, 0.8)) {
    const [a, b, c] = region.syllables;
    return `${pick(random, a)}${pick(random, b)}${pick(random, c)}`;
  }
  return pick(random, region.family);
}

function syntheticPerson(seed: number, index: number): SyntheticPerson {
  const random = mulberry32(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const region = regionOf(random);
  const first = givenName(random, region);
  const given = [first];
  if (!region.givenParts && chance(random, 0.55)) {
    const second = givenName(random, region);
    if (second !== first) given.push(second);
  }
  const family = [familyName(random, region)];
  if (chance(random, 0.08)) family.push(familyName(random, region));
  const roll = random();
  return {
    region,
    given,
    family,
    year: between(random, 1966, 2007),
    month: between(random, 1, 12),
    day: between(random, 1, 28),
    precision: roll < 0.85 ? 'day' : roll < 0.95 ? 'year' : 'month',
    // An issuer never gives two persons one number: unique per index (a bijection of the index
    // onto seven digits, 7,654,321 being coprime to 9,000,000), as drawn numbers were not.
    ...(chance(random, 0.55) && {
      passport: `${region.passportPrefix}${1_000_000 + ((index * 7_654_321) % 9_000_000)}`,
    }),
    ...(chance(random, 0.1) && { alias: `${first} ${familyName(random, region)}` }),
    female: chance(random, 0.75),
    random,
  };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The date of birth as the asylum authority typed it: any of the usual formats. */
function registeredDate(person: SyntheticPerson): string {
  const { year, month, day, random } = person;
  if (person.precision === 'year') return String(year);
  if (person.precision === 'month')
    return pick(random, [`${pad(month)}/${year}`, `${year}-${pad(month)}`]);
  return pick(random, [
    `${pad(day)}/${pad(month)}/${year}`,
    `${day}.${month}.${year}`,
    `${year}-${pad(month)}-${pad(day)}`,
    `${day} ${MONTHS[month - 1]} ${year}`,
    `${year}${pad(month)}${pad(day)}`,
  ]);
}

/** The date of birth as a message carries it (PartialDate: YYYY, YYYY-MM or YYYY-MM-DD). */
function messageDate(person: SyntheticPerson): string {
  if (person.precision === 'year') return String(person.year);
  if (person.precision === 'month') return `${person.year}-${pad(person.month)}`;
  return `${person.year}-${pad(person.month)}-${pad(person.day)}`;
}

function registrationOf(person: SyntheticPerson): RegistrationIdentifiers {
  return {
    names: [
      { givenNames: person.given, familyNames: person.family.map((name) => name.toUpperCase()) },
      ...(person.alias ? [{ aliases: [person.alias] }] : []),
    ],
    datesOfBirth: [registeredDate(person)],
    documents: person.passport
      ? [{ issuingState: person.region.state, number: person.passport }]
      : [],
  };
}

function shieldFromOf(person: SyntheticPerson): string[] {
  // The nationality; sometimes also a transit State the person fears (Libya).
  return person.random() < 0.1 ? [person.region.state, 'LY'] : [person.region.state];
}

// -------------------------------------------------------------------------------------------------
// Register hashing, in worker threads.

interface HashJob {
  readonly seed: number;
  readonly secret: Uint8Array;
  readonly from: number;
  readonly to: number;
}

interface HashBatch {
  readonly from: number;
  /** Every hash of the batch, 43 characters each, concatenated. */
  readonly hashes: string;
  readonly counts: Uint16Array;
  /** Index into SHIELD_SETS per entry. */
  readonly shields: Uint8Array;
}

const SHIELD_SETS = REGIONS.flatMap((region) => [[region.state], [region.state, 'LY']]);
const shieldSetIndex = (states: string[]) =>
  SHIELD_SETS.findIndex((set) => set.join(',') === states.join(','));

function hashWorker(job: HashJob): void {
  const secret = Buffer.from(job.secret);
  for (let start = job.from; start < job.to; start += HASH_BATCH) {
    const end = Math.min(job.to, start + HASH_BATCH);
    const parts: string[] = [];
    const counts = new Uint16Array(end - start);
    const shields = new Uint8Array(end - start);
    for (let index = start; index < end; index++) {
      const person = syntheticPerson(job.seed, index);
      const hashes = registrationHashes(secret, registrationOf(person));
      counts[index - start] = hashes.length;
      shields[index - start] = shieldSetIndex(shieldFromOf(person));
      parts.push(...hashes);
    }
    const batch: HashBatch = { from: start, hashes: parts.join(''), counts, shields };
    parentPort?.postMessage(batch, [counts.buffer, shields.buffer]);
  }
}

interface RegisterBuild {
  index: ProtectedPersonsIndex;
  entries: number;
  requested: number;
  truncatedByTimeBudget: boolean;
  /** The person indexes registered, as [from, to) ranges. */
  ranges: Array<[number, number]>;
  keys: number;
  hashingSeconds: number;
  workers: number;
  indexSeconds: number;
  memory: Record<string, number>;
}

function rangesOf(batches: readonly HashBatch[]): Array<[number, number]> {
  return batches.map((batch) => [batch.from, batch.from + batch.counts.length]);
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : () => undefined;
}

const MiB = (bytes: number) => round(bytes / 1024 ** 2, 1);

async function buildRegister(
  seed: number,
  secret: Uint8Array,
  entries: number,
  workers: number,
  budgetSeconds: number,
  gc: () => void,
): Promise<RegisterBuild> {
  gc();
  const before = process.memoryUsage();

  // The asylum authority's registrations: keyed hashes, computed in worker threads.
  const batches: HashBatch[] = [];
  const startedAt = performance.now();
  const share = Math.ceil(entries / workers);
  let hashed = 0;
  let truncated = false;
  const running: Worker[] = [];
  // Bounded in time: past the budget the workers stop, and the register is what was hashed.
  const budget = setTimeout(() => {
    truncated = true;
    progress(`hashing budget of ${budgetSeconds} s spent: stopping at ${hashed} registrations`);
    for (const worker of running) void worker.terminate();
  }, budgetSeconds * 1000);
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = w * share;
      const to = Math.min(entries, from + share);
      return new Promise<void>((resolve, reject) => {
        if (from >= to) return resolve();
        const worker = new Worker(new URL(import.meta.url), {
          workerData: { seed, secret, from, to } satisfies HashJob,
        });
        running.push(worker);
        worker.on('message', (batch: HashBatch) => {
          if (truncated) return;
          batches.push(batch);
          hashed += batch.counts.length;
          if (hashed % 100_000 < HASH_BATCH)
            progress(`hashed ${hashed} / ${entries} registrations`);
        });
        worker.once('error', reject);
        worker.once('exit', (code) =>
          code === 0 || truncated
            ? resolve()
            : reject(new Error(`hash worker exited with ${code}`)),
        );
      });
    }),
  );
  clearTimeout(budget);
  const hashingSeconds = (performance.now() - startedAt) / 1000;
  batches.sort((a, b) => a.from - b.from);
  const ids = batches.map((batch) => Array.from(batch.counts, () => uuidv7()));

  // As a node loads the register at start-up: the stored hashes of every entry into the index.
  progress('loading the index');
  const t0 = performance.now();
  const index = new ProtectedPersonsIndex({ expectedEntries: entries, keysPerEntry: 14 });
  let keys = 0;
  for (const [b, batch] of batches.entries()) {
    let offset = 0;
    for (let i = 0; i < batch.counts.length; i++) {
      const hashes: string[] = [];
      for (let k = 0; k < batch.counts[i]; k++, offset += 43) {
        hashes.push(batch.hashes.slice(offset, offset + 43));
      }
      index.add(ids[b][i], hashes, SHIELD_SETS[batch.shields[i]]);
      keys += hashes.length;
    }
  }
  const indexSeconds = (performance.now() - t0) / 1000;
  const ranges = rangesOf(batches);
  batches.length = 0;
  ids.length = 0;
  gc();
  const after = process.memoryUsage();
  return {
    index,
    entries: index.size,
    requested: entries,
    truncatedByTimeBudget: truncated,
    ranges,
    keys,
    hashingSeconds,
    workers,
    indexSeconds,
    memory: {
      heapUsedMiB: MiB(after.heapUsed - before.heapUsed),
      arrayBuffersMiB: MiB(after.arrayBuffers - before.arrayBuffers),
      rssMiB: MiB(after.rss - before.rss),
      totalHeapUsedMiB: MiB(after.heapUsed),
      totalRssMiB: MiB(after.rss),
    },
  };
}

// -------------------------------------------------------------------------------------------------
// Realistic messages and case facts.

type Kind = 'mla-request' | 'verification-request' | 'jit-operational';

type Recipient = PartyRef;

interface Draft {
  readonly kind: Kind;
  readonly channel: Channel;
  readonly procedure: Procedure;
  readonly messageType: string;
  readonly caseReference: string;
  readonly body: Record<string, unknown>;
  readonly facts: CaseFacts;
  readonly recipients: readonly Recipient[];
  readonly handling: HandlingConditions;
  /** Persons the body names (personsIn, family members included). */
  readonly persons: number;
  /** Positions in personsIn(body) of persons drawn from the register (written another way). */
  readonly registeredAt: readonly number[];
  /** How each of those was written otherwise (see SPELLINGS), in the same order. */
  readonly spellings: readonly Spelling[];
}

const central = (state: string, id: string): Recipient => ({
  authorityId: id,
  state,
  kind: 'central-authority',
});
const NG_CA = central('NG', 'NG-MOJ-CA');
const IT_CA = central('IT', 'IT-MOJ-DAG');
const ES_CA = central('ES', 'ES-MJU-SGCJI');
const EMBASSY: Recipient = { authorityId: 'NG-EMB-PAR', state: 'NG', kind: 'embassy' };
const ORIGIN_AUTHORITY: Record<string, Recipient> = {
  NG: NG_CA,
  ER: { authorityId: 'ER-MOIA-DIR', state: 'ER', kind: 'repatriation' },
  UA: { authorityId: 'UA-SMS-DEP', state: 'UA', kind: 'repatriation' },
  VN: { authorityId: 'VN-MPS-IMM', state: 'VN', kind: 'repatriation' },
  SY: { authorityId: 'SY-MOI-IMM', state: 'SY', kind: 'repatriation' },
  AL: { authorityId: 'AL-MPB-BMP', state: 'AL', kind: 'repatriation' },
  CN: { authorityId: 'CN-MPS-NIA', state: 'CN', kind: 'repatriation' },
};

const SUMMARIES = [
  'Recruiters in Benin City arranged travel to France through Libya and Italy; victims were exploited in Paris.',
  'Women recruited online with offers of work in hotels were housed in flats in Marseille and forced into prostitution; debts of 30,000 euros were imposed.',
  'Nail bars in the Paris region employed Vietnamese nationals without pay; passports were confiscated on arrival.',
  'Cannabis farms in the Lyon area were run with labour brought through Belgium; the workers were locked in.',
  'Seasonal agricultural workers were recruited by an agency in Tirana and paid a fraction of the agreed wage.',
];
const ASYLUM_MENTIONS = [
  ' The victim applied for asylum in France in March.',
  " Elle a déposé une demande d'asile auprès de l'OFPRA.",
  ' Она подала заявление на получение убежища.',
  ' تقدمت بطلب لجوء في فرنسا.',
  ' Solicitó asilo en España el año pasado.',
];
const OPERATIONAL_TEXTS = [
  'The recruiter travelled from Lagos to Milan this morning.',
  'Money transfers of 9,500 euros left Paris for Benin City through a hawala agent on Friday.',
  'The flat in Via Padova is used again; two women were seen entering at 22:00.',
  'The driver changed phones; the new number is in the annex to the case file.',
  'Surveillance confirms the meeting in Turin on Thursday at the usual café.',
];

/*
 * How another desk writes a registered person: given names reordered and family names in capitals,
 * the date in ISO form, and one more of the spellings the register must see through (the classes
 * of libs/protection-register's README section). The choice is drawn from the person's own
 * generator, so that the message pool's draws stay those of an unregistered person.
 */
const SPELLINGS = [
  'reordered',
  'compound',
  'split-name',
  'transliteration',
  'invisible',
  'confusable',
  'full-width',
  'comma',
  'initials',
] as const;
type Spelling = (typeof SPELLINGS)[number];

/** Spellings of the bench's names as other authorities write them (romanisations, script). */
const OTHER_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  Mohammed: ['Muhammad', 'Mohamed', 'Mohammad'],
  محمد: ['Mohamed', 'Muhammad'],
  Ahmad: ['Ahmed'],
  Khalid: ['Khaled'],
  Omar: ['Umar'],
  Fatima: ['Fatma', 'Fatimah'],
  فاطمة: ['Fatima', 'Fatma'],
  Fatimah: ['Fatima'],
  Aisha: ['Aicha', 'Ayesha'],
  Mariam: ['Maryam', 'Meryem'],
  Yuliia: ['Yulia', 'Julia', 'Iuliia'],
  Mariia: ['Maria', 'Mariya'],
  Iryna: ['Irina'],
  Kateryna: ['Katerina'],
  Олена: ['Olena'],
  Марія: ['Mariya', 'Maria'],
  Юлія: ['Yuliya', 'Julia'],
  Оксана: ['Oksana'],
  Yonas: ['Jonas'],
  Senait: ['Senayt'],
  Петренко: ['Petrenko'],
  Коваленко: ['Kovalenko'],
  Шевченко: ['Shevchenko'],
  الحسن: ['Al-Hassan', 'Alhassan', 'Al Hasan'],
  'Al-Hassan': ['Al Hassan', 'ALHASSAN', 'الحسن'],
};

/** Characters that show nothing, or a blank, typed inside a name. */
const INVISIBLES = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // byte order mark
  '\u00ad', // soft hyphen
  '\u{e0041}', // tag latin capital letter a
  '\u2800', // braille pattern blank
  '\u034f', // combining grapheme joiner
  '\ufe0f', // variation selector 16
  '\u180e', // mongolian vowel separator
];

/** Latin letters and Cyrillic or Greek letters that look the same (UTS #39 confusables). */
const LOOK_ALIKES: Readonly<Record<string, readonly string[]>> = {
  a: ['а', 'α'],
  e: ['е'],
  o: ['о', 'ο'],
  p: ['р', 'ρ'],
  c: ['с'],
  x: ['х'],
  y: ['у'],
  i: ['і', 'ι'],
  j: ['ј'],
  s: ['ѕ'],
  A: ['А', 'Α'],
  B: ['В', 'Β'],
  E: ['Е', 'Ε'],
  H: ['Н', 'Η'],
  K: ['К', 'Κ'],
  M: ['М', 'Μ'],
  O: ['О', 'Ο'],
  P: ['Р', 'Ρ'],
  T: ['Т', 'Τ'],
  X: ['Х', 'Χ'],
};

const isLatin = (name: string) => /^[A-Za-z' -]+$/.test(name);
const COMPOUND = /[- ]/;

function splitName(random: Random, name: string): string {
  const at = between(random, 2, name.length - 2);
  return `${name.slice(0, at)} ${name.slice(at)}`;
}

function insertInvisible(random: Random, name: string): string {
  const at = between(random, 1, name.length - 1);
  return name.slice(0, at) + pick(random, INVISIBLES) + name.slice(at);
}

/** Some letters of a Latin name swapped for look-alikes, at least one left Latin. */
function disguise(random: Random, name: string): string {
  const letters = [...name];
  const swappable = letters.flatMap((letter, i) => (LOOK_ALIKES[letter] ? [i] : []));
  const kept = pick(
    random,
    letters.flatMap((letter, i) => (/[A-Za-z]/.test(letter) ? [i] : [])),
  );
  let swapped = 0;
  for (const i of swappable) {
    if (i === kept || (swapped > 0 && !chance(random, 0.5))) continue;
    letters[i] = pick(random, LOOK_ALIKES[letters[i]]);
    swapped++;
  }
  return letters.join('');
}

const fullWidth = (name: string) =>
  name.replace(/[A-Za-z]/g, (letter) => String.fromCodePoint(letter.charCodeAt(0) + 0xfee0));

/** Rewrites the compound of a family name: hyphenated, spaced or joined, in another way. */
function rewriteCompound(random: Random, name: string): string {
  const words = name.split(/[- ]+/).filter((word) => word.length > 0);
  const forms = [words.join('-'), words.join(' '), words.join('').toUpperCase()].filter(
    (form) => form !== name,
  );
  return pick(random, forms);
}

/** A spelling class that applies to the person (some need a compound, a Latin name...). */
function spellingFor(person: SyntheticPerson, showsDocument: boolean): Spelling {
  const names = [...person.given, ...person.family];
  const applicable = SPELLINGS.filter((spelling) => {
    switch (spelling) {
      case 'compound':
        return person.family.some((name) => COMPOUND.test(name));
      case 'split-name':
      case 'full-width':
        return names.some((name) => isLatin(name) && name.length >= 4);
      case 'confusable':
        return names.some(
          (name) => isLatin(name) && name.length >= 4 && [...name].some((l) => LOOK_ALIKES[l]),
        );
      case 'transliteration':
        return names.some((name) => OTHER_SPELLINGS[name] !== undefined);
      case 'initials':
        // Initials of Latin given names, where a document or the date of birth also matches.
        return person.given.every(isLatin) && (person.precision === 'day' || showsDocument);
      default:
        return true;
    }
  });
  return pick(person.random, applicable);
}

interface WrittenNames {
  readonly givenNames: string[];
  readonly familyNames: string[];
}

/** Applies `rewrite` to one of the names it applies to, drawn at random. */
function rewriteOne(
  random: Random,
  names: { given: string[]; family: string[] },
  applies: (name: string) => boolean,
  rewrite: (name: string) => string,
): WrittenNames {
  const all = [...names.given, ...names.family];
  const target = pick(random, all.filter(applies));
  const swap = (list: string[]) => list.map((name) => (name === target ? rewrite(name) : name));
  return { givenNames: swap(names.given), familyNames: swap(names.family) };
}

function writtenOtherwise(person: SyntheticPerson, spelling: Spelling): WrittenNames {
  const random = person.random;
  const names = {
    given: [...person.given].reverse(),
    family: person.family.map((name) => name.toUpperCase()),
  };
  const latin = (name: string) => isLatin(name) && name.length >= 4;
  switch (spelling) {
    case 'reordered':
      return { givenNames: names.given, familyNames: names.family };
    case 'compound':
      return {
        givenNames: names.given,
        familyNames: person.family.map((name) =>
          COMPOUND.test(name) ? rewriteCompound(random, name) : name,
        ),
      };
    case 'split-name':
      return rewriteOne(random, names, latin, (name) => splitName(random, name));
    case 'transliteration': {
      // Against the file's own spelling (not the capitals), as another authority romanises it.
      const written = { given: names.given, family: person.family };
      return rewriteOne(
        random,
        written,
        (name) => OTHER_SPELLINGS[name] !== undefined,
        (name) => pick(random, OTHER_SPELLINGS[name]),
      );
    }
    case 'invisible':
      return rewriteOne(
        random,
        names,
        (name) => name.length >= 2,
        (name) => insertInvisible(random, name),
      );
    case 'confusable':
      return rewriteOne(
        random,
        names,
        (name) => latin(name) && [...name].some((letter) => LOOK_ALIKES[letter]),
        (name) => disguise(random, name),
      );
    case 'full-width':
      return rewriteOne(random, names, latin, fullWidth);
    case 'comma':
      return {
        givenNames: [],
        familyNames: [`${names.family.join(' ')}, ${person.given.join(' ')}`],
      };
    case 'initials':
      return {
        givenNames: names.given.map(
          (name) => `${[...name][0].toUpperCase()}${chance(random, 0.5) ? '.' : ''}`,
        ),
        familyNames: names.family,
      };
  }
}

interface MessagePerson {
  readonly record: Record<string, unknown>;
  /** How a registered person was written (see SPELLINGS); undefined for others. */
  readonly spelling?: Spelling;
}

function messagePerson(
  person: SyntheticPerson,
  registered: boolean,
  random: Random,
): MessagePerson {
  // The pool's draws, in the order they have always been made.
  const placeOfBirth = chance(random, 0.5) ? pick(random, person.region.places) : undefined;
  const showsDocument = person.passport !== undefined && chance(random, 0.6);
  const spelling = registered ? spellingFor(person, showsDocument) : undefined;
  const names = spelling
    ? writtenOtherwise(person, spelling)
    : { givenNames: person.given, familyNames: person.family };
  return {
    spelling,
    record: {
      names: {
        ...(names.givenNames.length > 0 && { givenNames: names.givenNames }),
        familyNames: names.familyNames,
      },
      sex: person.female ? 'female' : 'male',
      dateOfBirth: messageDate(person),
      ...(placeOfBirth !== undefined && { placeOfBirth }),
      nationalities: [person.region.state],
      ...(showsDocument && {
        documents: [
          {
            kind: 'passport',
            number: person.passport,
            issuingState: person.region.state,
          },
        ],
      }),
    },
  };
}

interface PeopleChoice {
  person: SyntheticPerson;
  registered: boolean;
}

function choosePeople(
  random: Random,
  seed: number,
  ranges: ReadonlyArray<[number, number]>,
  count: number,
  registeredShare: number,
  fresh: () => number,
): PeopleChoice[] {
  return Array.from({ length: count }, () => {
    const registered = chance(random, registeredShare);
    const [from, to] = pick(random, ranges);
    const index = registered ? between(random, from, to - 1) : fresh();
    return { person: syntheticPerson(seed, index), registered };
  });
}

function asylumFacts(random: Random, state: string, pending: number) {
  return chance(random, pending)
    ? { status: 'pending' as const, shieldFrom: [state] }
    : { status: 'none' as const, shieldFrom: [] };
}

function mlaDraft(random: Random, people: PeopleChoice[], n: number): Draft {
  const caseReference = `FR-PNAT-2026-${String(1000 + n)}`;
  const purpose = `Criminal proceedings ${caseReference} (trafficking in persons)`;
  const personFacts: PersonFacts[] = [];
  const spellings: Spelling[] = [];
  const persons = people.map(({ person, registered }, i) => {
    const reference = `P${i + 1}`;
    const role = i === 0 && chance(random, 0.6) ? 'suspect' : pick(random, ['victim', 'witness']);
    const written = messagePerson(person, registered, random);
    if (written.spelling) spellings.push(written.spelling);
    const body: Record<string, unknown> = {
      reference,
      ...written.record,
      roles: [role],
    };
    if (role === 'suspect' && chance(random, 0.3)) {
      body.criminalRecord = [
        { offence: 'Procuring (Italy)', date: '2019-05-14', statusOffence: false },
      ];
    }
    if (role === 'victim') {
      if (chance(random, 0.3)) body.lastKnownLocation = 'Shelter in Paris 18e';
      if (chance(random, 0.1)) {
        body.health = { information: 'Under treatment (HIV)', consentReference: `CONS-${n}-${i}` };
      }
      if (chance(random, 0.15)) {
        body.familyMembers = [
          {
            relationship: 'sibling',
            names: { givenNames: ['Precious'], familyNames: person.family },
          },
        ];
      }
      personFacts.push({
        personKey: reference,
        victim: true,
        nationalities: [person.region.state],
        asylum: asylumFacts(random, person.region.state, 0.1),
        testimonyExists: chance(random, 0.3),
        ...(chance(random, 0.4) && { identityProtectiveMeasures: `OPM-${n}-${i}` }),
        ...(body.health !== undefined &&
          chance(random, 0.7) && {
            consents: [
              {
                category: 'health' as const,
                purpose,
                given: true,
                reference: `CONS-${n}-${i}`,
              },
            ],
          }),
      });
    }
    return body;
  });
  const base = mlaRequest(SENDER.authorityId);
  const body: Record<string, unknown> = {
    ...base,
    summaryOfFacts:
      pick(random, SUMMARIES) + (chance(random, 0.06) ? pick(random, ASYLUM_MENTIONS) : ''),
    assistanceSought: chance(random, 0.5)
      ? ['taking-evidence', 'documents-records']
      : ['documents-records'],
    persons,
  };
  const recipient = random() < 0.45 ? NG_CA : random() < 0.65 ? IT_CA : ES_CA;
  return {
    kind: 'mla-request',
    channel: 'new-request',
    procedure: 'mla',
    messageType: 'request',
    caseReference,
    body,
    facts: { legalBasisRecorded: true, persons: personFacts },
    recipients: [recipient],
    handling: { permittedPurpose: purpose, confidential: true, noOnwardTransferTo: [] },
    persons: personsIn(body).length,
    registeredAt: people.flatMap((p, i) => (p.registered ? [i] : [])),
    spellings,
  };
}

function verificationDraft(random: Random, choice: PeopleChoice, n: number, now: Date): Draft {
  const { person, registered } = choice;
  const caseReference = `FR-OFII-2026-${String(1000 + n)}`;
  const template = verificationRequest(AGREEMENT);
  const written = messagePerson(person, registered, random);
  const subject = written.record;
  const body: Record<string, unknown> = {
    ...template,
    person: {
      ...subject,
      placeOfBirth: pick(random, person.region.places),
      documents: [
        ...((subject.documents as object[] | undefined) ?? []),
        { kind: 'birth-certificate', issuingState: person.region.state },
      ],
    },
  };
  const victim = chance(random, 0.3);
  const assessed = chance(random, 0.9);
  const facts: CaseFacts = {
    agreementId: AGREEMENT,
    persons: [
      {
        personIndex: 0,
        subjectOfCase: true,
        nationalities: [person.region.state],
        asylum: asylumFacts(random, person.region.state, 0.04),
        ...(assessed && {
          riskAssessment: {
            done: true,
            at: new Date(now.getTime() - between(random, 1, 60) * DAY_MS)
              .toISOString()
              .slice(0, 10),
            outcome: chance(random, 0.95) ? 'no-risk' : 'inconclusive',
            reference: `OFII-RA-${n}`,
          },
        }),
        returnVoluntary: chance(random, 0.85),
        openProceedings: chance(random, 0.1)
          ? [{ kind: 'criminal', role: 'witness', open: true }]
          : [],
        victim,
        ...(victim && chance(random, 0.6) && { identityProtectiveMeasures: `OPM-${n}` }),
      },
    ],
  };
  const origin = ORIGIN_AUTHORITY[person.region.state];
  const recipient = person.region.state === 'NG' && chance(random, 0.4) ? EMBASSY : origin;
  return {
    kind: 'verification-request',
    channel: 'new-request',
    procedure: 'nationality-verification',
    messageType: 'verification-request',
    caseReference,
    body,
    facts,
    recipients: [recipient],
    handling: {
      permittedPurpose: 'Nationality verification for a voluntary return',
      confidential: true,
      noOnwardTransferTo: [],
    },
    persons: personsIn(body).length,
    registeredAt: registered ? [0] : [],
    spellings: written.spelling ? [written.spelling] : [],
  };
}

function jitDraft(random: Random, people: PeopleChoice[], n: number): Draft {
  const caseReference = 'FR-PNAT-2026-0147';
  const personFacts: PersonFacts[] = [];
  const spellings: Spelling[] = [];
  const persons = people.map(({ person, registered }, i) => {
    const reference = `J${n}-${i + 1}`;
    const role = chance(random, 0.7) ? 'suspect' : 'victim';
    if (role === 'victim') {
      personFacts.push({
        personKey: reference,
        victim: true,
        nationalities: [person.region.state],
        asylum: asylumFacts(random, person.region.state, 0.1),
        ...(chance(random, 0.5) && { identityProtectiveMeasures: `OPM-J${n}-${i}` }),
      });
    }
    const written = messagePerson(person, registered, random);
    if (written.spelling) spellings.push(written.spelling);
    return {
      reference,
      ...written.record,
      roles: [role],
      ...(role === 'suspect' && chance(random, 0.4) && { lastKnownLocation: 'Milano, Via Padova' }),
    };
  });
  const action = chance(random, 0.2);
  const body: Record<string, unknown> = {
    subject: pick(random, ['Surveillance', 'Financial flows', 'Search planning', 'Victim support']),
    text:
      pick(random, OPERATIONAL_TEXTS) + (chance(random, 0.05) ? pick(random, ASYLUM_MENTIONS) : ''),
    persons,
    ...(action && { territoryState: 'IT', actionId: `ACT-${n}` }),
  };
  return {
    kind: 'jit-operational',
    channel: 'jit-fan-out',
    procedure: 'jit',
    messageType: 'operational-message',
    caseReference,
    body,
    facts: {
      persons: personFacts,
      ...(action && {
        jitActions: [
          {
            actionId: `ACT-${n}`,
            territoryState: 'IT',
            decision: chance(random, 0.9) ? ('approved' as const) : ('pending' as const),
          },
        ],
      }),
    },
    recipients: [NG_CA, IT_CA],
    handling: {
      permittedPurpose: `Joint investigation team ${caseReference}`,
      confidential: true,
      noOnwardTransferTo: [],
    },
    persons: personsIn(body).length,
    registeredAt: people.flatMap((p, i) => (p.registered ? [i] : [])),
    spellings,
  };
}

function messagePool(
  seed: number,
  register: Pick<RegisterBuild, 'ranges' | 'requested'>,
  size: number,
  now: Date,
): Draft[] {
  const random = mulberry32(seed ^ 0x5bd1e995);
  const entries = register.ranges;
  // Persons who are not registered: indexes past every registration.
  let fresh = register.requested;
  const next = () => fresh++;
  const drafts: Draft[] = [];
  for (let n = 0; n < size; n++) {
    const roll = random();
    let draft: Draft;
    if (roll < 0.4) {
      const people = choosePeople(random, seed, entries, between(random, 1, 5), 0.06, next);
      draft = mlaDraft(random, people, n);
    } else if (roll < 0.7) {
      const [choice] = choosePeople(random, seed, entries, 1, 0.12, next);
      draft = verificationDraft(random, choice, n, now);
    } else {
      const people = choosePeople(random, seed, entries, between(random, 1, 5), 0.06, next);
      draft = jitDraft(random, people, n);
    }
    // Realistic means valid: every body passes its procedure's schema, as SubmitMessage requires.
    validateMessageBody(draft.procedure, draft.messageType, draft.body);
    drafts.push(draft);
  }
  return drafts;
}

// -------------------------------------------------------------------------------------------------
// The decision point's work, exactly as PolicyDecisionPoint.decide feeds the engine.

interface Timed {
  decisions: Map<string, PolicyDecision>;
  hits: number;
  findings: number;
  /** µs: persons, checkPersons and free text, scanBody, categoriesOf, evaluate (all recipients), total. */
  stages: [number, number, number, number, number, number];
}

function decide(draft: Draft, index: ProtectedPersonsIndex, secret: Uint8Array, now: Date): Timed {
  const t0 = performance.now();
  const persons = personsIn(draft.body).map((person) => identifiersAt(draft.body, person.segments));
  const t1 = performance.now();
  const registerHits = checkPersons(index, secret, persons).map(({ personIndex, shieldFrom }) => ({
    personIndex,
    shieldFrom,
  }));
  // Free text, where any run of words may be a name (the decision point leaves out the
  // structured persons' names, which the bench's bodies keep under `names`).
  for (const { field, text } of bodyTexts(draft.body)) {
    if (field.includes('.names')) continue;
    const found = index.lookup(textHashes(secret, text));
    if (found.length > 0) {
      registerHits.push({ personIndex: persons.length, shieldFrom: found[0].shieldFrom });
    }
  }
  const t2 = performance.now();
  const textFindings = scanBody(draft.body).map(
    ({ field, language, term, topic, index, match }) => ({
      field,
      language,
      term,
      topic,
      index,
      match,
    }),
  );
  const t3 = performance.now();
  const categories = categoriesOf(draft.procedure, draft.messageType, draft.body);
  const t4 = performance.now();
  const decisions = new Map<string, PolicyDecision>();
  for (const recipient of draft.recipients) {
    decisions.set(
      recipient.authorityId,
      evaluate({
        channel: draft.channel,
        procedure: draft.procedure,
        messageType: draft.messageType,
        sender: SENDER,
        recipient,
        body: draft.body,
        categories,
        facts: draft.facts,
        registerHits,
        textFindings,
        purpose: draft.handling.permittedPurpose,
        settings: SETTINGS,
        now,
      }),
    );
  }
  const t5 = performance.now();
  const us = (ms: number) => ms * 1000;
  return {
    decisions,
    hits: registerHits.length,
    findings: textFindings.length,
    stages: [us(t1 - t0), us(t2 - t1), us(t3 - t2), us(t4 - t3), us(t5 - t4), us(t5 - t0)],
  };
}

/**
 * Collisions split by what the register had to infer. A hit whose strongest key is a `name*` key
 * is a person whose names, folded, are an entry's complete names, with a date of birth that agrees
 * as far as both records know it (or the same document number): on the identifiers the message
 * carries, the two cannot be told apart, and a register that finds every registered person written
 * otherwise must hit them. Only the other kinds (other vowels, fewer given names, initials, family
 * names alone) infer, and only their collisions are the matcher's own over-reach.
 */
function collisionsByEvidence(byKey: Record<string, number>, others: number) {
  let sameIdentifiers = 0;
  let inferred = 0;
  for (const [kind, count] of Object.entries(byKey)) {
    if (kind === 'document' || kind.startsWith('name')) sameIdentifiers += count;
    else inferred += count;
  }
  return {
    collisionsOnSameIdentifiers: sameIdentifiers,
    collisionRateOnSameIdentifiers: round(sameIdentifiers / Math.max(1, others), 4),
    collisionsByInference: inferred,
    collisionRateByInference: round(inferred / Math.max(1, others), 4),
  };
}

/**
 * How the register matched the pool's persons: every registered person written another way must
 * be found (recall); a person who is not registered but shares a key with an entry is a
 * collision (a common family name with the same date of birth...), which over-protects.
 */
function registerMatching(
  drafts: readonly Draft[],
  index: ProtectedPersonsIndex,
  secret: Uint8Array,
) {
  let registered = 0;
  let found = 0;
  let others = 0;
  let collisions = 0;
  const byKey: Record<string, number> = {};
  const bySpelling: Record<string, [persons: number, found: number]> = {};
  const byNationality: Record<string, [persons: number, hit: number]> = {};
  for (const draft of drafts) {
    const named = personsIn(draft.body);
    const persons = named.map((p) => identifiersAt(draft.body, p.segments));
    const hits = new Map(checkPersons(index, secret, persons).map((h) => [h.personIndex, h]));
    const spellingAt = new Map(draft.registeredAt.map((at, i) => [at, draft.spellings[i]]));
    persons.forEach((_, i) => {
      const spelling = spellingAt.get(i);
      if (spelling !== undefined) {
        const counts = (bySpelling[spelling] ??= [0, 0]);
        registered++;
        counts[0]++;
        if (hits.has(i)) {
          found++;
          counts[1]++;
        }
        return;
      }
      others++;
      const nationality = named[i].nationalities[0] ?? '(none)';
      const counts = (byNationality[nationality] ??= [0, 0]);
      counts[0]++;
      const hit = hits.get(i);
      if (!hit) return;
      collisions++;
      counts[1]++;
      // The strongest kind of key that matched (KEY_KINDS lists the most telling first).
      const kind = KEY_KINDS.find((k) => hit.keys.includes(k)) ?? hit.keys[0];
      byKey[kind] = (byKey[kind] ?? 0) + 1;
    });
  }
  return {
    registeredPersonsWrittenOtherwise: registered,
    found,
    recall: round(found / Math.max(1, registered), 4),
    recallBySpelling: Object.fromEntries(
      SPELLINGS.filter((spelling) => bySpelling[spelling]).map((spelling) => {
        const [persons, hit] = bySpelling[spelling];
        return [spelling, { persons, recall: round(hit / persons, 4) }];
      }),
    ),
    otherPersons: others,
    otherPersonsHit: collisions,
    collisionRate: round(collisions / Math.max(1, others), 4),
    collisionsByStrongestKey: byKey,
    ...collisionsByEvidence(byKey, others),
    collisionRateByNationality: Object.fromEntries(
      Object.entries(byNationality)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([state, [persons, hit]]) => [state, round(hit / persons, 4)]),
    ),
  };
}

// -------------------------------------------------------------------------------------------------
// Statistics and output.

function summary(values: readonly number[]) {
  const sorted = Float64Array.from(values).sort();
  const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return {
    p50: round(percentile(sorted, 50), 1),
    p99: round(percentile(sorted, 99), 1),
    mean: round(mean, 1),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 1),
  };
}

const STAGES = [
  'personsAndIdentifiers',
  'checkPersonsAndFreeText',
  'scanBody',
  'categoriesOf',
  'evaluate',
];

interface Options {
  entries: number;
  seconds: number;
  messages: number;
  sealOps: number;
  sealSeconds: number;
  hashSeconds: number;
  workers: number;
  seed: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '10' },
      messages: { type: 'string', default: '3000' },
      'seal-ops': { type: 'string', default: '200' },
      'seal-seconds': { type: 'string', default: '30' },
      'hash-seconds': { type: 'string', default: '900' },
      workers: { type: 'string', default: String(Math.max(1, availableParallelism())) },
      seed: { type: 'string', default: '20260612' },
    },
    strict: true,
  });
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be positive`);
    return value;
  };
  return {
    entries: Math.floor(positive('entries', values.entries)),
    seconds: positive('seconds', values.seconds),
    messages: Math.floor(positive('messages', values.messages)),
    sealOps: Math.floor(positive('seal-ops', values['seal-ops'])),
    sealSeconds: positive('seal-seconds', values['seal-seconds']),
    hashSeconds: positive('hash-seconds', values['hash-seconds']),
    workers: Math.floor(positive('workers', values.workers)),
    seed: Math.floor(positive('seed', values.seed)),
  };
}

interface Party {
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

async function partyFor(authorityId: string): Promise<Party> {
  const passphrase = randomBytes(18).toString('base64url');
  const pair = await generateAuthorityKeyPair({
    authorityId,
    authorityName: authorityId,
    passphrase,
  });
  return {
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, passphrase),
    publicKey: await readPublicKey(pair.publicKeyArmored),
  };
}

/** Sealing and opening the messages the policy let go, one at a time, as a node does. */
async function benchSealOpen(
  drafts: readonly Draft[],
  index: ProtectedPersonsIndex,
  secret: Uint8Array,
  options: Options,
) {
  const authorities = new Map<string, Recipient>();
  for (const draft of drafts) for (const r of draft.recipients) authorities.set(r.authorityId, r);
  progress(`generating keys for ${authorities.size + 1} authorities`);
  const parties = new Map<string, Party>();
  for (const id of [SENDER.authorityId, ...authorities.keys()]) parties.set(id, await partyFor(id));
  const sender = parties.get(SENDER.authorityId)!;

  const decideUs: number[] = [];
  const sealUs: number[] = [];
  const openUs: number[] = [];
  const shareOfSend: number[] = [];
  const through = { sealThroughPolicy: 0, nodePath: 0 };
  let envelopeBytes = 0;
  const encoder = new TextEncoder();
  const deadline = performance.now() + options.sealSeconds * 1000;
  let done = 0;
  for (let i = 0; done < options.sealOps + SEAL_WARMUP && performance.now() < deadline; i++) {
    const draft = drafts[i % drafts.length];
    const now = new Date();
    const timed = decide(draft, index, secret, now);
    const allowed = [...timed.decisions].find(
      ([, d]) => d.outcome !== 'block' && d.outcome !== 'warn',
    );
    if (!allowed) continue;
    const [recipientId, decision] = allowed;
    const recipient = authorities.get(recipientId)!;
    const messageId = uuidv7();
    const payload: EnvelopePayload = {
      formatVersion: 1,
      messageId,
      procedure: draft.procedure,
      messageType: draft.messageType,
      requestId: draft.procedure === 'jit' ? JIT_REQUEST : messageId,
      deadlineProfiles: [],
      sender: SENDER.authorityId,
      recipient: recipientId,
      createdAt: now.toISOString(),
      inReplyTo: draft.procedure === 'jit' ? uuidv7() : null,
      caseReference: draft.caseReference,
      handling: withRequiredHandling(draft.handling, decision),
      body: { ...decision.approvedBody },
      attachments: [],
    };
    const keys = {
      signingKey: sender.privateKey,
      recipientKey: parties.get(recipientId)!.publicKey,
    };
    const kinds = { sender: SENDER.kind, recipient: recipient.kind };
    let armored: string;
    let t0 = performance.now();
    try {
      // With the case's facts; it decides again (without the register and the scanner) first.
      armored = await sealThroughPolicy(payload, keys, { facts: draft.facts, kinds });
      if (done >= SEAL_WARMUP) through.sealThroughPolicy++;
    } catch (error) {
      // Should it refuse the approved payload, it is sealed as SubmitMessage seals it.
      if (!(error instanceof GatewayError)) throw error;
      t0 = performance.now();
      armored = await sealEnvelope(payload, keys, authorisePayload(decision, payload));
      if (done >= SEAL_WARMUP) through.nodePath++;
    }
    const t1 = performance.now();
    const bytes = encoder.encode(armored);
    const receiver = parties.get(recipientId)!;
    const policy: OpeningPolicy = {
      servedAuthorities: [recipientId],
      decryptionKeys: [receiver.privateKey],
      // The sender's one key, valid at any time: this measure leaves key periods aside.
      senderKeys: (id) =>
        id === SENDER.authorityId
          ? { id, publicKeys: [sender.publicKey], signatureRefusal: () => undefined }
          : undefined,
      maxEnvelopeBytes: 10 * 1024 * 1024,
      maxDecompressedBytes: 20 * 1024 * 1024,
      replayWindowMs: DAY_MS,
      clockSkewMs: 5 * 60_000,
      now: new Date(),
    };
    const opened = await openEnvelope(
      bytes,
      { sender: SENDER.authorityId, recipient: recipientId, messageId },
      policy,
    );
    const t2 = performance.now();
    if (opened.payload.messageId !== messageId) throw new Error('opened another message');
    done++;
    if (done <= SEAL_WARMUP) continue;
    const seal = (t1 - t0) * 1000;
    const open = (t2 - t1) * 1000;
    decideUs.push(timed.stages[5]);
    sealUs.push(seal);
    openUs.push(open);
    shareOfSend.push((100 * timed.stages[5]) / (timed.stages[5] + seal));
    envelopeBytes += bytes.byteLength;
  }
  const measured = sealUs.length;
  const sealP50 = summary(sealUs).p50;
  const openP50 = summary(openUs).p50;
  const decideP50 = summary(decideUs).p50;
  return {
    messages: measured,
    sealedThrough: through,
    envelopeBytesMean: Math.round(envelopeBytes / Math.max(1, measured)),
    decisionUs: summary(decideUs),
    sealUs: summary(sealUs),
    openUs: summary(openUs),
    sealPlusOpenP50Us: round(sealP50 + openP50, 1),
    note: 'sealUs is sealThroughPolicy: categoriesOf and evaluate (facts, no register) run again before it signs and encrypts',
    policyPercentOfDecideAndSealP50: summary(shareOfSend).p50,
    policyOverSealPlusOpenP50: round(decideP50 / (sealP50 + openP50), 3),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = performance.now();
  const loadAtStart = loadavg()[0];
  SETTINGS = loadPolicySettings(join(repoRoot(), 'config', 'policy'));
  const gc = collectGarbage();
  const secret = randomBytes(32);

  progress(`hashing ${options.entries} registrations in ${options.workers} worker threads`);
  const register = await buildRegister(
    options.seed,
    secret,
    options.entries,
    options.workers,
    options.hashSeconds,
    gc,
  );
  const { index } = register;

  const now = new Date();
  progress(`generating and validating ${options.messages} messages`);
  const drafts = messagePool(options.seed, register, options.messages, now);

  const matching = registerMatching(drafts, index, secret);

  progress(`warming up (${WARMUP_DECISIONS} decisions)`);
  for (let i = 0; i < WARMUP_DECISIONS; i++) decide(drafts[i % drafts.length], index, secret, now);

  progress(`deciding sequentially for ${options.seconds} s`);
  const stages: number[][] = STAGES.map(() => []);
  const totals: number[] = [];
  const byKind = new Map<Kind, number[]>();
  const outcomes: Record<string, number> = {};
  const rules: Record<string, number> = {};
  let evaluations = 0;
  let withHits = 0;
  let withFindings = 0;
  const loopStart = performance.now();
  const loopEnd = loopStart + options.seconds * 1000;
  let decided = 0;
  while (performance.now() < loopEnd) {
    const draft = drafts[decided % drafts.length];
    const timed = decide(draft, index, secret, now);
    decided++;
    timed.stages.slice(0, 5).forEach((us, stage) => stages[stage].push(us));
    totals.push(timed.stages[5]);
    const kindTimes = byKind.get(draft.kind) ?? [];
    kindTimes.push(timed.stages[5]);
    byKind.set(draft.kind, kindTimes);
    if (timed.hits > 0) withHits++;
    if (timed.findings > 0) withFindings++;
    for (const decision of timed.decisions.values()) {
      evaluations++;
      outcomes[decision.outcome] = (outcomes[decision.outcome] ?? 0) + 1;
      for (const id of new Set(
        decision.findings.filter((f) => f.severity !== 'note').map((f) => f.ruleId),
      )) {
        rules[id] = (rules[id] ?? 0) + 1;
      }
    }
  }
  const loopSeconds = (performance.now() - loopStart) / 1000;

  progress(`sealing and opening up to ${options.sealOps} allowed messages`);
  const sealOpen = await benchSealOpen(drafts, index, secret, options);

  const persons = drafts.map((d) => d.persons);
  const stageSummaries = Object.fromEntries(STAGES.map((name, i) => [name, summary(stages[i])]));
  const totalSummary = summary(totals);
  const report = {
    benchmark: 'policy decision point per outgoing message (domain.md 4)',
    register: {
      entries: register.entries,
      requested: register.requested,
      truncatedByTimeBudget: register.truncatedByTimeBudget,
      keyVersion: KEY_VERSION,
      keyedHashes: register.keys,
      keysPerEntry: round(register.keys / register.entries, 2),
      secretBytes: secret.byteLength,
      registrationHashing: {
        workers: register.workers,
        seconds: round(register.hashingSeconds, 2),
        entriesPerSecond: Math.round(register.entries / register.hashingSeconds),
      },
      indexBuild: {
        seconds: round(register.indexSeconds, 2),
        entriesPerSecond: Math.round(register.entries / register.indexSeconds),
        note: 'ProtectedPersonsIndex.add of stored hashes, as a node loads the register at start-up',
      },
      memory: register.memory,
      matching,
    },
    messages: {
      pool: drafts.length,
      kinds: Object.fromEntries(
        (['mla-request', 'verification-request', 'jit-operational'] as const).map((kind) => [
          kind,
          drafts.filter((d) => d.kind === kind).length,
        ]),
      ),
      personsPerMessage: {
        min: Math.min(...persons),
        max: Math.max(...persons),
        mean: round(persons.reduce((a, b) => a + b, 0) / persons.length, 2),
      },
      registeredPersons: drafts.reduce((sum, d) => sum + d.registeredAt.length, 0),
      recipientsPerMessage: round(evaluations / Math.max(1, decided), 2),
      factsSource: 'in memory (a node reads one case_facts row from PostgreSQL per message)',
    },
    decisions: {
      sequential: {
        messages: decided,
        evaluations,
        seconds: round(loopSeconds, 2),
        decisionsPerSecond: Math.round(decided / loopSeconds),
        evaluationsPerSecond: Math.round(evaluations / loopSeconds),
      },
      perDecisionUs: { total: totalSummary, ...stageSummaries },
      byKindUs: Object.fromEntries([...byKind].map(([kind, values]) => [kind, summary(values)])),
      messagesWithRegisterHits: withHits,
      messagesWithTextFindings: withFindings,
      outcomes,
      rulesFired: Object.fromEntries(Object.entries(rules).sort(([a], [b]) => a.localeCompare(b))),
    },
    sealOpen,
    verdict: {
      decisionP50Us: totalSummary.p50,
      sealPlusOpenP50Us: sealOpen.sealPlusOpenP50Us,
      policyPercentOfDecideAndSealP50: sealOpen.policyPercentOfDecideAndSealP50,
    },
    machine: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpus().length,
      availableParallelism: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      totalMemoryGiB: round(totalmem() / 1024 ** 3),
      loadAverage1mAtStart: round(loadAtStart, 2),
      loadAverage1mAtEnd: round(loadavg()[0], 2),
    },
    options,
    elapsedSeconds: round((performance.now() - startedAt) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (isMainThread) {
  main().then(
    // Worker threads are done; nothing else should keep the process alive.
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
} else {
  hashWorker(workerData as HashJob);
}
