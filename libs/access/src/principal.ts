import { PROCEDURES, type Procedure } from '#libs/envelope';
import { GatewayError } from '#libs/errors';
import { CASEWORK, type Role } from './roles.js';

/** An authenticated user or service account, as its account says now (not as a token claimed). */
export interface Principal {
  username: string;
  kind: 'person' | 'service';
  authorityId: string;
  roles: Role[];
  /** Case references of the JITs a liaison officer is a member of. */
  jits: string[];
}

/**
 * The part of an authority's cases a principal may see. Every query of cases and messages is
 * filtered by it, so that nobody reads another authority's mailbox and a liaison officer sees only
 * their JITs (domain.md section 1).
 */
export interface AccessScope {
  authorityId: string;
  /** Procedures whose every case of the authority is visible. */
  procedures: Procedure[];
  /** JIT cases visible in addition, by case reference. */
  jitCases: string[];
}

export function scopeOf(principal: Principal): AccessScope {
  const procedures = new Set<Procedure>();
  for (const role of principal.roles) {
    if (role === 'liaison-officer') continue;
    for (const procedure of CASEWORK[role] ?? []) procedures.add(procedure);
  }
  return {
    authorityId: principal.authorityId,
    procedures: [...procedures],
    jitCases:
      principal.roles.includes('liaison-officer') && !procedures.has('jit') ? principal.jits : [],
  };
}

/**
 * Evidence bundles hold sealed envelopes, receipts and audit entries, never opened payloads: an
 * auditor may export them for every procedure of their authority (domain.md section 1).
 */
export function evidenceScopeOf(principal: Principal): AccessScope {
  const scope = scopeOf(principal);
  return principal.roles.includes('auditor') ? { ...scope, procedures: [...PROCEDURES] } : scope;
}

export function inScope(
  scope: AccessScope,
  item: { authorityId: string; procedure: string; caseReference: string | null },
): boolean {
  if (item.authorityId !== scope.authorityId) return false;
  if ((scope.procedures as string[]).includes(item.procedure)) return true;
  return (
    item.procedure === 'jit' &&
    item.caseReference !== null &&
    scope.jitCases.includes(item.caseReference)
  );
}

/** `inScope` for a stored request or message row (`authority`, `procedure`, `case_reference`). */
export function rowInScope(
  scope: AccessScope,
  row: { authority: string; procedure: string; case_reference: string | null },
): boolean {
  return inScope(scope, {
    authorityId: row.authority,
    procedure: row.procedure,
    caseReference: row.case_reference,
  });
}

/** The audit trail's name for a principal: who, in which authority. */
export function actorOf(principal: Principal): string {
  return `${principal.username}@${principal.authorityId}`;
}

/**
 * Answered as "not found", so that nothing reveals that the object exists; recorded as a refusal
 * of access all the same, so that probing for others' objects leaves a trace.
 */
export class OutOfScopeError extends GatewayError {}
