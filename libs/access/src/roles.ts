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

/**
 * Roles granted only with a second administrator's approval (separation of duties): every role
 * that opens case content, the protected-persons register, the audit trail or account management.
 * Administrator is among them, or one administrator could create a second one and approve
 * through it. Only `monitor` (aggregated figures) is granted at once. The operator's
 * `users import` (database access, the bootstrap path) grants directly.
 */
export const ROLES_NEEDING_APPROVAL: readonly Role[] = [
  'central-authority-officer',
  'liaison-officer',
  'repatriation-officer',
  'asset-recovery-officer',
  'supervisor',
  'asylum-authority-officer',
  'auditor',
  'administrator',
];

export function needsApproval(role: Role): boolean {
  return ROLES_NEEDING_APPROVAL.includes(role);
}
