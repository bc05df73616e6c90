import { Injectable } from '@nestjs/common';
import type { Principal } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import type { Procedure } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  classifyFactChanges,
  combineFacts,
  type CaseFacts,
  type FactChange,
  type PersonFacts,
} from '#libs/policy';
import {
  assertAsylumFactsOnly,
  asylumView,
  factsAccessOf,
  ownsRelaxation,
  procedureToWrite,
  proceduresToRead,
  valuesVisible,
  viewOf,
  type FactsAccess,
  type FactsView,
} from './case-facts.access.js';
import {
  CaseFactsRepository,
  type FactsHistoryEntry,
  type RecordedField,
} from './case-facts.repository.js';
import { applyFactsUpdate, type CaseFactsUpdate } from './case-facts.update.js';

/** Who asks, as the facts need to know them. */
export interface FactsCaller {
  readonly principal: Principal;
  readonly actor: string;
  readonly correlationId?: string;
}

export interface FactsChangeRequest {
  readonly update: CaseFactsUpdate;
  /** The procedure to record under, when the caller's roles record facts for several. */
  readonly procedure?: Procedure;
  /** A supervisor's written reason for a relaxation they do not own. */
  readonly justification?: string;
}

/** One change of the history as a caller may see it: values only for the fields they see. */
export interface FactsHistoryChangeView {
  readonly path: string;
  readonly direction: FactChange['direction'] | 'recorded';
  readonly rules?: readonly string[];
  readonly reason?: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface FactsHistoryEntryView {
  readonly procedure: Procedure;
  readonly version: number;
  readonly recordedAt: string;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly direction: FactsHistoryEntry['direction'];
  readonly changes: readonly FactsHistoryChangeView[];
  readonly justification?: string;
}

function isRecordedField(change: FactChange | RecordedField): change is RecordedField {
  return change.direction === 'recorded';
}

/**
 * The case facts as officers read and change them: each sees the facts of the procedures they
 * may see (the asylum authority, the asylum facts of all), tightens freely, and relaxes only what
 * they own, or as a supervisor with a written justification (domain.md 1 and 4).
 */
@Injectable()
export class CaseFactsService {
  constructor(
    private readonly facts: CaseFactsRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** The facts the caller may see, combined as the decision point combines them. */
  async visible(
    caller: FactsCaller,
    caseReference: string,
    procedure?: Procedure,
  ): Promise<CaseFacts> {
    const access = factsAccessOf(caller.principal, caseReference);
    const procedures = proceduresToRead(access, procedure);
    const recorded = await this.facts.read(access.authorityId, caseReference, procedures);
    return combineFacts(
      [...recorded].map(([own, facts]) => viewOf(facts, access.views.get(own) ?? 'asylum')),
    );
  }

  /** Applies a change to one procedure's facts: the facts of that procedure afterwards. */
  async change(
    caller: FactsCaller,
    caseReference: string,
    request: FactsChangeRequest,
  ): Promise<CaseFacts> {
    const access = factsAccessOf(caller.principal, caseReference);
    const procedure = procedureToWrite(access, request.procedure);
    const view = access.views.get(procedure) ?? 'asylum';
    if (view === 'asylum') assertAsylumFactsOnly(request.update);
    const justification = request.justification?.trim() ? request.justification.trim() : undefined;

    const { decision, facts } = await this.facts.change<FactChange[]>(
      { authorityId: access.authorityId, caseReference, procedure },
      {
        actor: caller.actor,
        roles: caller.principal.roles,
        correlationId: caller.correlationId,
      },
      (current) => {
        const next = applyFactsUpdate(current, request.update);
        const changes = classifyFactChanges(current, next);
        if (changes.length === 0) return { kind: 'unchanged' };
        const notOwned = changes.filter(
          (change) => change.direction === 'relaxed' && !ownsRelaxation(access, procedure, change),
        );
        if (notOwned.length > 0 && !(access.supervisor && justification !== undefined)) {
          return { kind: 'refused', refusal: notOwned };
        }
        return { kind: 'change', next, changes, ...(justification && { justification }) };
      },
    );
    if (decision.kind === 'refused') {
      throw await this.refuse(caller, access, procedure, decision.refusal);
    }
    return viewOf(facts, view);
  }

  /** Every change of the facts of the procedures the caller sees, oldest first. */
  async history(
    caller: FactsCaller,
    caseReference: string,
    procedure?: Procedure,
  ): Promise<FactsHistoryEntryView[]> {
    const access = factsAccessOf(caller.principal, caseReference);
    const procedures = proceduresToRead(access, procedure);
    const entries = await this.facts.history(access.authorityId, caseReference, procedures);
    return entries.map((entry) =>
      this.entryView(entry, access.views.get(entry.procedure) ?? 'asylum'),
    );
  }

  private entryView(entry: FactsHistoryEntry, view: FactsView): FactsHistoryEntryView {
    const changes = entry.changes.map((change): FactsHistoryChangeView => {
      if (isRecordedField(change)) {
        // Before the history: whole fields and persons, shown as the caller's view shows them.
        const shown = recordedValue(change, view);
        return {
          path: change.path,
          direction: 'recorded',
          ...(shown !== undefined && { after: shown }),
        };
      }
      const show = valuesVisible(change.field, view);
      return {
        path: change.path,
        direction: change.direction,
        rules: change.rules,
        ...(change.reason !== undefined && { reason: change.reason }),
        ...(show && change.before !== undefined && { before: change.before }),
        ...(show && change.after !== undefined && { after: change.after }),
      };
    });
    return {
      procedure: entry.procedure,
      version: entry.version,
      recordedAt: entry.recordedAt.toISOString(),
      actor: entry.actor,
      roles: entry.roles,
      direction: entry.direction,
      changes,
      ...(view === 'all' &&
        entry.justification !== undefined && {
          justification: entry.justification,
        }),
    };
  }

  private async refuse(
    caller: FactsCaller,
    access: FactsAccess,
    procedure: Procedure,
    changes: readonly FactChange[],
  ): Promise<GatewayError> {
    const rules = [...new Set(changes.flatMap((change) => change.rules))];
    const paths = changes.map((change) => change.path);
    await this.audit.record({
      event: 'case-facts.relaxation-refused',
      actor: caller.actor,
      correlationId: caller.correlationId,
      details: {
        code: ErrorCode.FACTS_RELAXATION_REQUIRES_OWNER,
        caseReference: access.caseReference,
        procedure,
        paths,
        rules,
        roles: caller.principal.roles,
      },
    });
    const who = access.supervisor
      ? 'give a written "justification"'
      : `ask their owner (${[...new Set(changes.flatMap((c) => c.owners))]
          .map((owner) =>
            owner === 'asylum-authority' ? 'the asylum authority' : `the ${procedure} caseworkers`,
          )
          .join(' or ')}) or a supervisor`;
    return new GatewayError(
      ErrorCode.FACTS_RELAXATION_REQUIRES_OWNER,
      `relaxing ${paths.join(', ')} (read by ${rules.join(', ')}) is not yours to do: ${who}`,
      changes.map((change) => ({
        field: change.path,
        rules: change.rules,
        owners: change.owners,
        ...(change.reason !== undefined && { reason: change.reason }),
      })),
    );
  }
}

/** A field recorded before the history, as a caller with this view may see it. */
function recordedValue(change: RecordedField, view: FactsView): unknown {
  if (view === 'all') return change.after;
  if (change.path.startsWith('persons[')) {
    return asylumView({ persons: [change.after as PersonFacts] }).persons?.[0];
  }
  return valuesVisible(change.path, view) ? change.after : undefined;
}
