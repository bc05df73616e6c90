import { Inject, Injectable } from '@nestjs/common';
import type { AccessScope } from '#libs/access';
import { deadlineCalendar, type DeadlineProfiles, type HolidaySource } from '#libs/deadlines';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { Procedure } from '#libs/kernel';
import { Clock } from '#libs/node-config';
import { nextMessageTypes, type StateOf } from '#libs/procedures';
import {
  CaseRepository,
  reviveClock,
  type DeadlineRow,
  type RequestFilter,
  type RequestRow,
} from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';

export interface DeadlineView {
  profileId: string;
  instrument: string;
  source: string;
  /** The figure is marked (check) in the domain reference: not verified against the official text. */
  check: boolean;
  /** A service level the executing State configures, not a legal time limit. */
  serviceLevel: boolean;
  status: string;
  startedAt: string;
  dueAt: string;
  /** The requesting State's suggested deadline (UNTOC 18(24)), shown to the executing side. */
  suggestedDueAt: string | null;
  pausedAt: string | null;
  extensions: Array<{ at: string; reason: string; by: string }>;
  executingState: string;
  timeZone: string;
  /**
   * Whose days the clock counts: the executing State's public holidays from date-holidays, or
   * only weekends where date-holidays has no calendar for it (said in `note`).
   */
  calendar: { state: string; holidays: HolidaySource; note: string };
  remainingMs: number | null;
}

export interface RequestView {
  id: string;
  caseReference: string;
  procedure: string;
  role: string;
  counterparts: string[];
  status: string;
  state: Record<string, unknown>;
  suggestedDeadline: { date: string; reasons: string } | null;
  openedAt: string;
  updatedAt: string;
  deadlines: DeadlineView[];
}

export interface RequestDetail extends RequestView {
  /** The message types this node's side may send next in the request's current state. */
  nextMessageTypes: string[];
  thread: Array<{
    messageId: string;
    direction: string;
    status: string;
    messageType: string;
    sender: string;
    recipient: string;
    createdAt: string;
    inReplyTo: string | null;
  }>;
}

@Injectable()
export class CaseQueries {
  constructor(
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
  ) {}

  async list(filter: RequestFilter, scope: AccessScope): Promise<RequestView[]> {
    const rows = await this.cases.listRequests(filter, scope);
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async request(requestId: string, scope: AccessScope): Promise<RequestDetail> {
    return this.detail(await this.cases.requireRequest(requestId, scope));
  }

  /** A case as the scope sees it: only its own requests; a case with none is reported as missing. */
  async caseFile(
    reference: string,
    scope: AccessScope,
  ): Promise<{ reference: string; requests: RequestDetail[] }> {
    const rows = await this.cases.requestsOfCase(reference, scope);
    if (rows.length === 0)
      throw new GatewayError(
        ErrorCode.CASE_NOT_FOUND,
        `case ${reference} has no requests you may see`,
      );
    return { reference, requests: await Promise.all(rows.map((row) => this.detail(row))) };
  }

  private async detail(row: RequestRow): Promise<RequestDetail> {
    const requestId = row.id;
    const [view, thread] = await Promise.all([this.view(row), this.cases.thread(requestId)]);
    return {
      ...view,
      nextMessageTypes: nextMessageTypes(
        row.procedure as Procedure,
        row.state as unknown as StateOf<Procedure>,
        row.role,
        row.authority,
      ),
      thread: thread.map((m) => ({
        messageId: m.id,
        direction: m.direction,
        status: m.status,
        messageType: m.message_type,
        sender: m.sender,
        recipient: m.recipient,
        createdAt: m.created_at.toISOString(),
        inReplyTo: m.in_reply_to,
      })),
    };
  }

  private async view(row: RequestRow): Promise<RequestView> {
    const deadlines = await this.cases.deadlinesOf(row.id);
    return {
      id: row.id,
      caseReference: row.case_reference,
      procedure: row.procedure,
      role: row.role,
      counterparts: row.counterparts,
      status: row.status,
      state: row.state,
      suggestedDeadline: row.suggested_deadline,
      openedAt: row.opened_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      deadlines: deadlines.map((d) => this.deadlineView(d)),
    };
  }

  private deadlineView(row: DeadlineRow): DeadlineView {
    const profile = this.profiles.get(row.profile_id);
    const clock = reviveClock(row.clock);
    const { state, holidays, note } = deadlineCalendar(row.executing_state, row.time_zone);
    return {
      profileId: profile.id,
      instrument: profile.instrument,
      source: profile.source,
      check: profile.check,
      serviceLevel: profile.serviceLevel,
      status: clock.status,
      startedAt: clock.startedAt.toISOString(),
      dueAt: clock.dueAt.toISOString(),
      suggestedDueAt: clock.suggestedDueAt?.toISOString() ?? null,
      pausedAt: clock.pausedAt?.toISOString() ?? null,
      extensions: clock.extensions.map((e) => ({
        at: e.at.toISOString(),
        reason: e.reason,
        by: e.by,
      })),
      executingState: row.executing_state,
      timeZone: row.time_zone,
      calendar: { state, holidays, note },
      remainingMs:
        clock.status === 'running' ? clock.dueAt.getTime() - this.clock.now().getTime() : null,
    };
  }
}
