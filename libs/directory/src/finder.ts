import {
  EU_JUDICIAL_COOPERATION_STATES,
  procedureOfMeasure,
  type Measure,
  type Procedure,
} from '#libs/kernel';
import type { Authority, TreatyOnRecord } from './authority.js';

export interface FinderQuery {
  /** The State whose authority is sought. */
  state: string;
  measure: Measure;
  /** E.g. trafficking-in-persons: authorities that list offences must list it. */
  offence?: string;
  /** Where the measure is to be executed: regional authorities must cover it. */
  locality?: string;
  /** The State of the authority asking: it selects the instrument. */
  requestingState: string;
}

/** The legal instrument a request from the requesting State to the authority would rest on. */
export type Instrument =
  | { kind: 'treaty'; id: string; title: string }
  | { kind: 'eu'; id: string; title: string }
  | { kind: 'untoc'; id: string; title: string };

export interface FinderMatch {
  authority: Authority;
  instrument: Instrument;
  /** Why it ranks where it does, in the order the criteria count. */
  reasons: string[];
}

/** Between the States bound by them (all EU members but Denmark and Ireland). */
const EU_INSTRUMENTS: Partial<Record<Procedure, Omit<Instrument, 'kind'>>> = {
  mla: {
    id: 'Directive 2014/41/EU',
    title: 'European Investigation Order in criminal matters',
  },
  jit: {
    id: 'Council Framework Decision 2002/465/JHA',
    title: 'Joint investigation teams',
  },
  assets: {
    id: 'Regulation (EU) 2018/1805',
    title: 'Mutual recognition of freezing orders and confiscation orders',
  },
};

/** Where no treaty applies: the Convention and its Protocol are the basis (domain.md 2). */
const UNTOC_INSTRUMENTS: Record<Procedure, Omit<Instrument, 'kind'>> = {
  mla: {
    id: 'UNTOC art. 18(7)',
    title: 'Mutual legal assistance where no treaty binds the States Parties',
  },
  jit: { id: 'UNTOC art. 19', title: 'Joint investigations' },
  assets: {
    id: 'UNTOC art. 13',
    title: 'International cooperation for purposes of confiscation',
  },
  'nationality-verification': {
    id: 'Trafficking Protocol art. 8(3)–(4)',
    title: 'Verification of nationality and travel documents for the return of victims',
  },
};

/**
 * The instrument that applies: a treaty on record between the two States for the procedure, else
 * the EU instrument between States bound by it, else UNTOC (UNTOC 18(7): its paragraphs 9 to 29
 * apply where no treaty binds the States).
 */
export function instrumentFor(
  authority: Authority,
  requestingState: string,
  procedure: Procedure,
): Instrument {
  const treaty = (authority.competence.treaties ?? []).find(
    (candidate: TreatyOnRecord) =>
      candidate.states.includes(requestingState) &&
      (!candidate.procedures || candidate.procedures.includes(procedure)),
  );
  if (treaty) return { kind: 'treaty', id: treaty.id, title: treaty.title };
  const eu = EU_INSTRUMENTS[procedure];
  if (
    eu &&
    requestingState !== authority.state &&
    EU_JUDICIAL_COOPERATION_STATES.has(requestingState) &&
    EU_JUDICIAL_COOPERATION_STATES.has(authority.state)
  ) {
    return { kind: 'eu', ...eu };
  }
  return { kind: 'untoc', ...UNTOC_INSTRUMENTS[procedure] };
}

/** Compares place names as officers type them: case, accents and spacing aside. */
function placeKey(place: string): string {
  return place
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The authorities of a State competent for a measure, best first (as the EJN Atlas answers): an
 * authority must receive the measure's procedure and, when it states its measures, list this one;
 * a regional authority must cover the locality, and one that lists offences must list the offence.
 * Ranked by how closely each fits: a regional authority covering the locality before a national
 * one, an authority that lists the offence before a general one, then the central authority for
 * mutual legal assistance (UNTOC 18(13)), then by id.
 */
export function findCompetentAuthorities(
  authorities: readonly Authority[],
  query: FinderQuery,
): FinderMatch[] {
  const procedure = procedureOfMeasure(query.measure);
  const locality = query.locality === undefined ? undefined : placeKey(query.locality);
  const ranked: Array<FinderMatch & { score: number[] }> = [];
  for (const authority of authorities) {
    if (authority.state !== query.state || !authority.procedures.includes(procedure)) continue;
    const { measures, regions, offences } = authority.competence;
    if (measures && !measures.includes(query.measure)) continue;
    const reasons: string[] = [
      measures ? `executes ${query.measure}` : `receives ${procedure} (measures not stated)`,
    ];
    let territory = 1;
    if (regions) {
      const covers = locality !== undefined && regions.some((r) => placeKey(r) === locality);
      if (locality !== undefined && !covers) continue;
      territory = covers ? 2 : 0;
      reasons.push(covers ? `competent for ${query.locality}` : `regional: ${regions.join(', ')}`);
    } else {
      reasons.push('national competence');
    }
    let speciality = 0;
    if (offences && query.offence !== undefined) {
      if (!offences.includes(query.offence)) continue;
      speciality = 1;
      reasons.push(`specialised in ${query.offence}`);
    }
    const central = procedure === 'mla' && authority.kind === 'central-authority' ? 1 : 0;
    ranked.push({
      authority,
      instrument: instrumentFor(authority, query.requestingState, procedure),
      reasons,
      score: [territory, speciality, central],
    });
  }
  ranked.sort((a, b) => {
    for (let i = 0; i < a.score.length; i++) {
      if (a.score[i] !== b.score[i]) return b.score[i] - a.score[i];
    }
    return a.authority.id.localeCompare(b.authority.id);
  });
  return ranked.map(({ authority, instrument, reasons }) => ({ authority, instrument, reasons }));
}
