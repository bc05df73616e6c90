/** The four procedures the gateway carries (domain.md section 2). */
export const PROCEDURES = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
export type Procedure = (typeof PROCEDURES)[number];
