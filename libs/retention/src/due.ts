import { addPeriod, type RetentionProfile } from './profile.js';

/** A request as the erasure task sees it: its close, and whether a legal hold covers it. */
export interface RequestRecord {
  readonly requestId: string;
  readonly procedure: string;
  readonly status: string;
  /** When it reached its current status (its close, if that status closes it). */
  readonly statusSince: Date;
  /** A legal hold on the request or on its case is in force. */
  readonly held: boolean;
}

/** An evidence file this node keeps, sent or received. */
export interface FileRecord {
  readonly messageId: string;
  readonly position: number;
  readonly procedure: string;
  /** When the node took the file (sealed for sending, or its first chunk received). */
  readonly keptSince: Date;
  /** Every chunk reached the member (sent), or an officer here downloaded it (received). */
  readonly downloaded: boolean;
  readonly held: boolean;
}

export interface DueRequest {
  readonly request: RequestRecord;
  readonly profile: RetentionProfile;
  readonly dueAt: Date;
}

export interface DueFile {
  readonly file: FileRecord;
  readonly profile: RetentionProfile;
  readonly reason: 'max-age' | 'downloaded';
  readonly dueAt: Date;
}

/**
 * What is due for erasure: pure, so that "nothing held, nothing early" is a property of this one
 * function (libs/retention/src/due.spec.ts), whatever the database hands it.
 */
export class RetentionPolicy {
  private readonly byProcedure: ReadonlyMap<string, RetentionProfile>;

  constructor(readonly profiles: readonly RetentionProfile[]) {
    this.byProcedure = new Map(profiles.map((profile) => [profile.procedure, profile]));
  }

  forProcedure(procedure: string): RetentionProfile | undefined {
    return this.byProcedure.get(procedure);
  }

  /** The request's content is due once it has been closed for its profile's period, unless held. */
  requestDue(request: RequestRecord, now: Date): DueRequest | undefined {
    const profile = this.byProcedure.get(request.procedure);
    if (!profile || request.held || !profile.closedStatuses.includes(request.status)) return;
    const dueAt = addPeriod(request.statusSince, profile.contentAfterClose);
    return dueAt.getTime() <= now.getTime() ? { request, profile, dueAt } : undefined;
  }

  /** A file is due at its maximum age, or once downloaded where the profile says so; never while held. */
  fileDue(file: FileRecord, now: Date): DueFile | undefined {
    const profile = this.byProcedure.get(file.procedure);
    if (!profile?.files || file.held) return;
    const maxAgeAt = addPeriod(file.keptSince, profile.files.maxAge);
    if (maxAgeAt.getTime() <= now.getTime()) {
      return { file, profile, reason: 'max-age', dueAt: maxAgeAt };
    }
    if (profile.files.onceDownloaded && file.downloaded) {
      return { file, profile, reason: 'downloaded', dueAt: now };
    }
    return undefined;
  }

  /** At most `limit` requests due, the longest overdue first: each batch takes the oldest. */
  selectRequests(candidates: readonly RequestRecord[], now: Date, limit: number): DueRequest[] {
    return oldestFirst(
      candidates.flatMap((request) => this.requestDue(request, now) ?? []),
      limit,
    );
  }

  selectFiles(candidates: readonly FileRecord[], now: Date, limit: number): DueFile[] {
    return oldestFirst(
      candidates.flatMap((file) => this.fileDue(file, now) ?? []),
      limit,
    );
  }
}

function oldestFirst<T extends { dueAt: Date }>(due: T[], limit: number): T[] {
  return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, Math.max(0, limit));
}
