import { sql, type RawBuilder } from 'kysely';

/**
 * The SQL side of an access scope (`#libs/access` scopeOf) for tables with `authority`,
 * `procedure` and `case_reference` columns (messages, requests): the authority's own rows of the
 * visible procedures, and the JIT cases named on a liaison officer's account.
 */
export function visibleTo(scope: {
  authorityId: string;
  procedures: readonly string[];
  jitCases: readonly string[];
}): RawBuilder<boolean> {
  return sql<boolean>`(authority = ${scope.authorityId} and (procedure = any(${[...scope.procedures]}::text[])
    or (procedure = 'jit' and case_reference = any(${[...scope.jitCases]}::text[]))))`;
}
