import { H1 } from './h1-asylum-confidentiality.js';
import { H10 } from './h10-health-consent.js';
import { H2 } from './h2-victim-identity-location.js';
import { H3 } from './h3-open-proceedings.js';
import { H4 } from './h4-risk-and-refoulement.js';
import { H5 } from './h5-child-return.js';
import { H6 } from './h6-no-conditionality.js';
import { H7 } from './h7-non-punishment.js';
import { H8 } from './h8-compensation-survives-return.js';
import { H9 } from './h9-jit-territory.js';
import { HC1 } from './hc1-onward-transfer.js';
import type { PolicyRule } from './rule.js';
import { W1 } from './w1-non-voluntary-return.js';
import { W11 } from './w11-disposal-compensation.js';
import { W2 } from './w2-legal-basis.js';
import { W3 } from './w3-victim-identity-abroad.js';
import { W4 } from './w4-request-targets-victim.js';
import { W5 } from './w5-repeat-interview.js';
import { W6 } from './w6-asylum-text.js';
import { W7 } from './w7-embassy-contact.js';
import { W12 } from './w12-request-language.js';

/** The rule table, in the order of domain.md section 4. */
export const RULES: readonly PolicyRule[] = [
  H1,
  H2,
  H3,
  H4,
  H5,
  H6,
  H7,
  H8,
  H9,
  H10,
  HC1,
  W1,
  W2,
  W3,
  W4,
  W5,
  W6,
  W7,
  W11,
  W12,
];

export type { PolicyRule, RuleHit } from './rule.js';
