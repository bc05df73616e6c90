import type { Procedure } from '#libs/kernel';

// A type-only import: retention shares the procedure names, not the envelope's code.
export const RETENTION_PROCEDURES = [
  'mla',
  'jit',
  'nationality-verification',
  'assets',
] as const satisfies readonly Procedure[];
export type RetentionProcedure = (typeof RETENTION_PROCEDURES)[number];

/** Seconds and minutes are there for drills and tests; a State's policy speaks in days or years. */
export const RETENTION_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'years'] as const;
export type RetentionUnit = (typeof RETENTION_UNITS)[number];

export interface RetentionPeriod {
  readonly amount: number;
  readonly unit: RetentionUnit;
}

/**
 * How long one procedure's case content is kept once its request is closed, and how long its
 * evidence files stay on the node. Digests, manifests, envelope digests, receipts, evidences and
 * the audit trail are never erased: they are what proves the exchange happened.
 */
export interface RetentionProfile {
  readonly id: string;
  readonly procedure: RetentionProcedure;
  /** The text that sets (or lets the State set) the period, cited in every `retention.erased` entry. */
  readonly legalBasis: string;
  /** The figure is the State's choice or not verified against the official text (domain.md "check"). */
  readonly check: boolean;
  /**
   * The request statuses after which nothing more happens to it: its close. Listed, not derived,
   * because the procedures' `close` event settles a request only where a node fires it.
   */
  readonly closedStatuses: readonly string[];
  /** Message bodies (persons, free text), the sealed envelopes and the request's state: erased this long after the close. */
  readonly contentAfterClose: RetentionPeriod;
  /** Evidence files sent or received with the procedure's messages (JIT: Reg. (EU) 2023/969). */
  readonly files?: {
    /** Deleted this long after the node took the file, whatever else happened. */
    readonly maxAge: RetentionPeriod;
    /** Deleted earlier, once every member holds it (sent) or an officer here downloaded it (received). */
    readonly onceDownloaded: boolean;
  };
}

const MS: Record<Exclude<RetentionUnit, 'years'>, number> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 7 * 86_400_000,
};

/** The instant a period ends, counted from `from` (years as calendar years, in UTC). */
export function addPeriod(from: Date, period: RetentionPeriod): Date {
  if (period.unit === 'years') {
    const end = new Date(from.getTime());
    end.setUTCFullYear(end.getUTCFullYear() + period.amount);
    return end;
  }
  return new Date(from.getTime() + period.amount * MS[period.unit]);
}
