/*
 * The terms that reveal an asylum claim or international protection (W-6, derived from H-1), in
 * the six official languages of the United Nations. Each pattern is a regular expression over
 * folded text (scanner.ts: lower case, diacritics and Arabic hamza/harakat removed, ё → е,
 * й → и, ة → ه, ى → ي); its non-ASCII letters are folded the same way when compiled, so terms are
 * written here as in a dictionary. A pattern must stand as whole words, except in Chinese.
 *
 * Choices against false positives (a warning costs a supervisor's time):
 * - "protection" alone is never a term (child, witness, victim, data protection; protection
 *   orders): only international, subsidiary, complementary, temporary or humanitarian protection
 *   and protection status, claims, applications and visas. "Protection needs" is left out: it is
 *   everyday language in victim assistance.
 * - "shelter" is not asylum: Spanish "refugio", Russian "приют", Chinese 庇护所 / 避难所 (a victims'
 *   shelter) are not terms; Russian "убежище для ..." (a shelter for ...) is excluded; Chinese 庇护
 *   counts only with a verb or noun that makes it asylum (申请庇护, 政治庇护, 庇护申请).
 * - Spanish "asilo de ancianos" is a care home; Arabic "اللجوء إلى" is "resorting to" (the
 *   courts, violence); Russian "уголовное / судебное / административное преследование" is
 *   prosecution, not persecution; English "temporary protection order" is a court order.
 * - Words that mean refugee or asylum are always terms, whatever the sentence says of them:
 *   a negation ("he has not applied for asylum") still tells the reader the question arose.
 * - A spelling shared by languages (persecution, non-refoulement) is reported once, under the
 *   first language of this list.
 */

export const SCAN_LANGUAGES = ['en', 'fr', 'es', 'ru', 'ar', 'zh'] as const;
export type ScanLanguage = (typeof SCAN_LANGUAGES)[number];

export interface ProtectionTerm {
  readonly language: ScanLanguage;
  /** The term as a dictionary writes it. */
  readonly term: string;
  /** What it means, in English. */
  readonly meaning: string;
  /** A regular expression (source) over folded text. */
  readonly pattern: string;
  /** False for scripts written without spaces (Chinese): the pattern may stand inside a word. */
  readonly wholeWords: boolean;
}

/** One term of a language: as written, its meaning in English, its pattern. */
type TermRow = readonly [term: string, meaning: string, pattern: string];

const ENGLISH: readonly TermRow[] = [
  ['asylum', 'asylum; asylum seeker, claim, application; asylee', 'asylums?|asylees?'],
  ['refugee', 'refugee, refugee status', 'refugees?'],
  ['persecution', 'persecution, persecuted', 'persecut(?:ion|ions|ed|e|es|ing|or|ors)'],
  ['international protection', 'international protection', String.raw`international\s+protection`],
  ['subsidiary protection', 'subsidiary protection (EU)', String.raw`subsidiary\s+protection`],
  ['complementary protection', 'complementary protection', String.raw`complementary\s+protection`],
  [
    'humanitarian protection',
    'humanitarian protection (UK)',
    String.raw`humanitarian\s+protection`,
  ],
  [
    'temporary protection',
    'temporary protection (EU), temporary protected status (US); not a protection order',
    String.raw`temporary\s+protection(?!\s+orders?(?![\p{L}\p{N}]))|temporary\s+protected\s+status`,
  ],
  [
    'protection status',
    'protection status, claim, application or visa',
    String.raw`protection\s+(?:status|claims?|applications?|visas?)`,
  ],
  [
    'non-refoulement',
    'non-refoulement (no return to persecution)',
    String.raw`non[-\s]?refoulement`,
  ],
  [
    'well-founded fear',
    'well-founded fear (the refugee definition)',
    String.raw`well[-\s]?founded\s+fears?`,
  ],
  ['UNHCR', 'the UN Refugee Agency', 'unhcr'],
];

const FRENCH: readonly TermRow[] = [
  ['asile', "asylum; demande / demandeur d'asile: asylum application / seeker", 'asiles?'],
  ['réfugié', 'refugee (m./f., sing./pl.)', 'réfugi(?:é|ée|és|ées)'],
  ['persécution', 'persecution, persecuted', 'persécut(?:ion|ions|é|ée|és|ées|eur|eurs)'],
  [
    'protection internationale',
    'international protection',
    String.raw`protection\s+internationale`,
  ],
  ['protection subsidiaire', 'subsidiary protection', String.raw`protection\s+subsidiaire`],
  ['protection temporaire', 'temporary protection', String.raw`protection\s+temporaire`],
  [
    'non-refoulement',
    'non-refoulement; refoulement: turning back at the border',
    String.raw`(?:non[-\s]?)?refoulements?`,
  ],
  ['crainte fondée', 'well-founded fear', String.raw`craintes?\s+fondées?`],
  ['OFPRA', 'French Office for the Protection of Refugees and Stateless Persons', 'ofpra'],
  ['CNDA', 'French National Court of Asylum', 'cnda'],
];

const SPANISH: readonly TermRow[] = [
  [
    'asilo',
    'asylum; solicitud / solicitante de asilo: application / seeker; asilado: asylee; ' +
      'not "asilo de ancianos", a care home',
    String.raw`asil(?:o|os|ado|ada|ados|adas)(?!\s+(?:de\s+)?ancianos)`,
  ],
  ['refugiado', 'refugee (m./f., sing./pl.)', 'refugiad(?:o|a|os|as)'],
  ['persecución', 'persecution', 'persecuci(?:ón|ones)'],
  ['protección internacional', 'international protection', String.raw`protección\s+internacional`],
  ['protección subsidiaria', 'subsidiary protection', String.raw`protección\s+subsidiaria`],
  ['protección temporal', 'temporary protection', String.raw`protección\s+temporal`],
  [
    'protección complementaria',
    'complementary protection',
    String.raw`protección\s+complementaria`,
  ],
  ['no devolución', 'non-refoulement', String.raw`no[-\s]devolución`],
  [
    'temor fundado',
    'well-founded fear',
    String.raw`temor(?:es)?\s+fundados?|fundados?\s+temor(?:es)?`,
  ],
  ['ACNUR', 'the UN Refugee Agency', 'acnur'],
];

/** Stems take every case ending (убежище, убежища, убежищем...). */
const RUSSIAN: readonly TermRow[] = [
  [
    'убежище',
    'asylum (политическое убежище: political asylum; ищущий убежища: asylum seeker); ' +
      'not "убежище для ...", a shelter for ...',
    String.raw`убежищ\p{L}*(?!\s+для(?![\p{L}\p{N}]))`,
  ],
  [
    'беженец',
    'refugee (беженца, беженцы, беженка...); статус беженца: refugee status',
    String.raw`беженец|беженц\p{L}*|беженк\p{L}*`,
  ],
  [
    'преследование',
    'persecution (not уголовное / судебное / административное преследование: prosecution)',
    String.raw`(?<!(?:уголовн|судебн|административн)\p{L}*\s+)преследовани\p{L}*`,
  ],
  ['международная защита', 'international protection', String.raw`международн\p{L}*\s+защит\p{L}*`],
  [
    'невыдворение',
    'non-refoulement (невыдворение, невысылка)',
    String.raw`невыдворени\p{L}*|невысылк\p{L}*`,
  ],
  ['УВКБ', 'UNHCR', 'увкб'],
];

/**
 * Arabic attaches conjunctions (و and, ف so), prepositions (ب with, ل for, ك as) and the article
 * (ال, which becomes ل after ل) to the word: واللاجئين, للاجئين, باللجوء.
 */
function arabic(stem: string): string {
  return `[وف]?[بكل]?(?:ال|ل)?(?:${stem})`;
}

const ARABIC_PROTECTION = arabic('حماية');

const ARABIC: readonly TermRow[] = [
  [
    'لجوء',
    'asylum (طلب لجوء: asylum application; طالب لجوء: asylum seeker); ' +
      'not "اللجوء إلى", resorting to',
    arabic(String.raw`لجو(?:ء|ئ)\p{L}*`) + String.raw`(?!\s+إلى)`,
  ],
  [
    'لاجئ',
    'refugee (لاجئة, لاجئون, لاجئين); صفة اللاجئ: refugee status',
    arabic(String.raw`لاجئ\p{L}*`),
  ],
  ['اضطهاد', 'persecution; مضطهد: persecuted', arabic(String.raw`(?:اضطهاد|مضطهد)\p{L}*`)],
  [
    'الحماية الدولية',
    'international protection',
    String.raw`${ARABIC_PROTECTION}\s+(?:ال)?دولي\p{L}*`,
  ],
  [
    'الحماية الفرعية',
    'subsidiary or complementary protection (الفرعية، التكميلية)',
    String.raw`${ARABIC_PROTECTION}\s+(?:ال)?(?:فرعي|تكميلي)\p{L}*`,
  ],
  ['الحماية المؤقتة', 'temporary protection', String.raw`${ARABIC_PROTECTION}\s+(?:ال)?مؤقت\p{L}*`],
  [
    'عدم الإعادة القسرية',
    'non-refoulement (also مبدأ عدم الرد, the principle of non-return)',
    String.raw`عدم\s+(?:ال)?إعادة\s+(?:ال)?قسري\p{L}*|مبدأ\s+عدم\s+(?:ال)?رد`,
  ],
];

/** Simplified and traditional characters; no word boundaries in Chinese. */
const CHINESE: readonly TermRow[] = [
  [
    '庇护',
    'asylum: 寻求 / 申请 / 政治庇护 (seek / apply for / political asylum), 庇护申请 (asylum ' +
      'application); not 庇护所 (shelter)',
    '(?:寻求|尋求|申请|申請|政治|给予|給予|获得|獲得)庇[护護]' +
      '|庇[护護](?:申请|申請|寻求者|尋求者|权|權|程序|身份|案件)',
  ],
  [
    '避难',
    'asylum: 政治避难 (political asylum), 申请避难 (apply for asylum); not 避难所 (shelter)',
    '(?:政治|寻求|尋求|申请|申請)避[难難]|避[难難]申[请請]',
  ],
  ['难民', 'refugee; 难民身份 / 难民地位: refugee status', '[难難]民'],
  ['迫害', 'persecution', '迫害'],
  ['国际保护', 'international protection', '[国國][际際]保[护護]'],
  ['补充保护', 'subsidiary protection', '[补補]充保[护護]'],
  [
    '临时保护',
    'temporary protection (not 临时保护令, a protection order)',
    '[临臨][时時]保[护護](?!令)',
  ],
  ['不驱回', 'non-refoulement (不驱回, 不推回)', '不[驱驅]回|不推回'],
];

const BY_LANGUAGE: Readonly<Record<ScanLanguage, readonly TermRow[]>> = {
  en: ENGLISH,
  fr: FRENCH,
  es: SPANISH,
  ru: RUSSIAN,
  ar: ARABIC,
  zh: CHINESE,
};

/** Every term, by language in SCAN_LANGUAGES order. */
export const PROTECTION_TERMS: readonly ProtectionTerm[] = SCAN_LANGUAGES.flatMap((language) =>
  BY_LANGUAGE[language].map(([term, meaning, pattern]) => ({
    language,
    term,
    meaning,
    pattern,
    wholeWords: language !== 'zh',
  })),
);
