import type { Procedure } from './procedures.js';

/**
 * What an authority executes, by procedure: the types of assistance of UNTOC art. 18(3) (with the
 * video-link hearing as a form of (a)), the asset measures (UNTOC 12–14), the return measures
 * (Trafficking Protocol art. 8) and joint investigations (UNTOC 19). The directory states each
 * authority's; the finder matches requests to them (domain.md 2).
 */
export const MEASURES_BY_PROCEDURE = {
  mla: [
    'taking-evidence', // 18(3)(a)
    'video-hearing', // 18(3)(a), 18(18)
    'service-of-documents', // 18(3)(b)
    'search-and-seizure', // 18(3)(c)
    'examining-objects-and-sites', // 18(3)(d)
    'information-and-expert-evaluations', // 18(3)(e)
    'documents-and-records', // 18(3)(f)
    'tracing-proceeds', // 18(3)(g)
    'voluntary-appearance', // 18(3)(h)
    'other-assistance', // 18(3)(i)
  ],
  jit: ['joint-investigation-team'],
  'nationality-verification': ['nationality-verification', 'travel-documents', 'readmission'],
  assets: ['asset-identification', 'asset-freezing', 'confiscation', 'asset-return'],
} as const satisfies Record<Procedure, readonly string[]>;

export type Measure = (typeof MEASURES_BY_PROCEDURE)[Procedure][number];

export const MEASURES: readonly Measure[] = Object.values(MEASURES_BY_PROCEDURE).flat();

export function procedureOfMeasure(measure: Measure): Procedure {
  for (const [procedure, measures] of Object.entries(MEASURES_BY_PROCEDURE)) {
    if ((measures as readonly string[]).includes(measure)) return procedure as Procedure;
  }
  throw new Error(`unknown measure ${measure}`);
}

/** The member States of the European Union (ISO 3166-1 alpha-2). */
export const EU_MEMBER_STATES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

/**
 * Member States bound by the European Investigation Order (Directive 2014/41/EU, recitals 44–45)
 * and the freezing and confiscation regulation (Regulation (EU) 2018/1805, recitals 56–57):
 * every one but Denmark and Ireland.
 */
export const EU_JUDICIAL_COOPERATION_STATES: ReadonlySet<string> = new Set(
  [...EU_MEMBER_STATES].filter((state) => state !== 'DK' && state !== 'IE'),
);
