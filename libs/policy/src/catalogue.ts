/*
 * The safeguards of domain.md section 4: every rule id, its kind, its wording and its sources,
 * copied from the tables (a source cell split on "; "). Code, tests, audit entries and error
 * responses name rules by these ids.
 */

export const HARD_BLOCK_IDS = [
  'H-1',
  'H-2',
  'H-3',
  'H-4',
  'H-5',
  'H-6',
  'H-7',
  'H-8',
  'H-9',
  'H-10',
  // Not in the section 4 tables: the handling conditions of received content (section 4,
  // "Handling conditions on every message"), enforced when the content is passed on.
  'HC-1',
] as const;
export type HardBlockId = (typeof HARD_BLOCK_IDS)[number];

export const WARNING_IDS = [
  'W-1',
  'W-2',
  'W-3',
  'W-4',
  'W-5',
  'W-6',
  'W-7',
  'W-11',
  'W-12',
] as const;
export type WarningId = (typeof WARNING_IDS)[number];

export const RULE_IDS = [...HARD_BLOCK_IDS, ...WARNING_IDS] as const;
export type RuleId = HardBlockId | WarningId;

export type RuleKind = 'hard-block' | 'warning';

export interface RuleDescription {
  readonly id: RuleId;
  readonly kind: RuleKind;
  /** The rule as domain.md states it. */
  readonly text: string;
  /** The sources, exactly as domain.md cites them. */
  readonly legalBasis: readonly string[];
}

const H1_SOURCES = [
  '004 Table 5 MLA row ("Ensure that no information on trafficking victims asylum application is shared with his or her country of origin")',
  '000 G6.3',
  'Asylum Procedures Directive 2013/32/EU art. 30, replaced from 12 June 2026 by Regulation (EU) 2024/1348 art. 7(2)',
  'UNHCR Advisory Opinion on the Rules of Confidentiality Regarding Asylum Information (2005)',
] as const;

export const RULES_CATALOGUE: Readonly<Record<RuleId, RuleDescription>> = {
  'H-1': {
    id: 'H-1',
    kind: 'hard-block',
    text: "No information on a person's asylum application or international protection — including the fact that an application was made — to the authorities of the person's country of origin or nationality, or of the State the person fears, on any channel, in any procedure, during the procedure and after it ends.",
    legalBasis: H1_SOURCES,
  },
  'H-2': {
    id: 'H-2',
    kind: 'hard-block',
    text: "No public disclosure of a victim's identity; a victim's physical location is never sent.",
    legalBasis: ['000 G6.6', '002', '004 Table 2'],
  },
  'H-3': {
    id: 'H-3',
    kind: 'hard-block',
    text: "No return while criminal, civil or compensation proceedings in which the person is victim, witness or claimant are open (release only on the person's own recorded request, signed off by their lawyer).",
    legalBasis: ['000 P9, G4.7, G9.3', '004 Table 2'],
  },
  'H-4': {
    id: 'H-4',
    kind: 'hard-block',
    text: 'No return without an individual risk assessment, while a non-refoulement risk is open, while an asylum claim is pending, or during the reflection period.',
    legalBasis: [
      '000 P11, G2.7',
      '002 Residence (1), (5)',
      '003 Ch. III.D, III.H',
      'TIP art. 14(1)',
    ],
  },
  'H-5': {
    id: 'H-5',
    kind: 'hard-block',
    text: "No return of a child (or of a person whose age is uncertain and who may be a child) without a best-interests determination, a guardian independent of the requesting agency, a record of the child's views, and a family or care assessment.",
    legalBasis: ['000 P10, G8', '002 Children', '003', '004 Table 2'],
  },
  'H-6': {
    id: 'H-6',
    kind: 'hard-block',
    text: "Assistance, residence or a child's status are never conditional on cooperation with prosecution: no message or rule may make them depend on it.",
    legalBasis: ['000 P8', '002 P2, P4', '003'],
  },
  'H-7': {
    id: 'H-7',
    kind: 'hard-block',
    text: 'No request to prosecute or detain an identified victim for immigration, document or other status offences committed as a direct consequence of being trafficked.',
    legalBasis: ['000 P7, G2.5, G4.5', '002 P5', '004 Table 1'],
  },
  'H-8': {
    id: 'H-8',
    kind: 'hard-block',
    text: 'A return never ends a compensation claim.',
    legalBasis: ['004 Table 2', '003 box 9(b)(i)'],
  },
  'H-9': {
    id: 'H-9',
    kind: 'hard-block',
    text: "A JIT action on a State's territory needs that State's member's approval.",
    legalBasis: ['UNTOC 19', '004 Table 5'],
  },
  'H-10': {
    id: 'H-10',
    kind: 'hard-block',
    text: 'Health data (including HIV status) is never a required field and is never sent unless its owner consented for that purpose.',
    legalBasis: ['000 G6.2', '002'],
  },
  'HC-1': {
    id: 'HC-1',
    kind: 'hard-block',
    text: 'Handling conditions travel with the content: received content is never passed on to a State its handling conditions exclude (no onward transfer).',
    legalBasis: ['UNTOC 18(19)', 'UNTOC 18(20)'],
  },
  'W-1': {
    id: 'W-1',
    kind: 'warning',
    text: 'Non-voluntary return.',
    legalBasis: ['TIP 8(2)', '004 Table 2'],
  },
  'W-2': {
    id: 'W-2',
    kind: 'warning',
    text: 'No legal basis or agreement recorded for the request.',
    legalBasis: ['004 Table 5'],
  },
  'W-3': {
    id: 'W-3',
    kind: 'warning',
    text: "A victim's identity leaves the country without protective measures (default: pseudonymise identity in cross-border messages; reveal on need to know).",
    legalBasis: ['000 G6.6', '004 Table 2'],
  },
  'W-4': {
    id: 'W-4',
    kind: 'warning',
    text: 'A request targets a person flagged as a victim.',
    legalBasis: ['000 P7', '004 Table 1'],
  },
  'W-5': {
    id: 'W-5',
    kind: 'warning',
    text: 'Repeat interview of a victim when testimony already exists.',
    legalBasis: ['002', '000 G5.3'],
  },
  'W-6': {
    id: 'W-6',
    kind: 'warning',
    text: 'Free text or an attachment to an origin-country authority mentions asylum, refugee status, persecution or protection (in any UN official language).',
    legalBasis: ['derived from H-1'],
  },
  'W-7': {
    id: 'W-7',
    kind: 'warning',
    text: "An embassy or origin-country contact about a person while asylum flags exist anywhere in the case: needs the asylum authority's sign-off.",
    legalBasis: ['004 Table 2 (embassy identification) with H-1'],
  },
  'W-11': {
    id: 'W-11',
    kind: 'warning',
    text: 'A disposal of confiscated assets that does not consider victim compensation.',
    legalBasis: ['P16', 'UNTOC 14(2)'],
  },
  'W-12': {
    id: 'W-12',
    kind: 'warning',
    text: 'A request in a language the requested authority does not accept (as its directory entry states).',
    legalBasis: ['UNTOC 18(14)'],
  },
};

export function isHardBlock(id: string): id is HardBlockId {
  return (HARD_BLOCK_IDS as readonly string[]).includes(id);
}

export function isWarning(id: string): id is WarningId {
  return (WARNING_IDS as readonly string[]).includes(id);
}

export function isRuleId(id: string): id is RuleId {
  return isHardBlock(id) || isWarning(id);
}
