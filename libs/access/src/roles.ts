import type { Procedure } from '#libs/envelope';

/** The users of a node (domain.md section 1). A user holds one or more roles in one authority. */
export const ROLES = [
  'central-authority-officer',
  'supervisor',
  'liaison-officer',
  'repatriation-officer',
  'asylum-authority-officer',
  'asset-recovery-officer',
  'auditor',
  'monitor',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * The procedures whose cases a role works on. A supervisor oversees every procedure of the
 * authority; a liaison officer sees only the JITs named on their account (domain.md section 1).
 */
export const CASEWORK: Partial<Record<Role, readonly Procedure[]>> = {
  'central-authority-officer': ['mla'],
  supervisor: ['mla', 'jit', 'nationality-verification', 'assets'],
  'liaison-officer': ['jit'],
  'repatriation-officer': ['nationality-verification'],
  'asset-recovery-officer': ['assets'],
};
