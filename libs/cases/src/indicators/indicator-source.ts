import { Injectable } from '@nestjs/common';
import { stateOfAuthorityId, type Procedure } from '#libs/kernel';
import { ColumnCipher, InjectDatabase, procedureFactsRowId, type Db } from '#libs/persistence';
import { quarterOf } from './indicator-periods.js';
import {
  ageAt,
  ageBand,
  responseDaysBand,
  UNKNOWN,
  type Dimension,
  type FrozenValue,
  type IndicatorUnit,
} from './operational-indicators.js';

/**
 * Messages that settle a request, per procedure: answered. MLA executions are counted among the
 * MLA responses (by outcome) only: two populations, one inside the other, would publish their
 * difference (the refusals) as well.
 */
const EXECUTIONS: Record<string, readonly string[]> = {
  'nationality-verification': ['verification-answer'],
  assets: ['answer', 'freezing-confirmation'],
};
const MLA_OUTCOMES: Record<string, string> = {
  'execution-result': 'executed',
  'partial-execution': 'partially-executed',
  refusal: 'refused',
};
const ASSET_MEASURES = [
  'identify',
  'trace',
  'freeze',
  'seize',
  'confiscate',
  'enforce-foreign-order',
];
/** Only a team in operation exchanges these (UNTOC 19): a closed team that did was established. */
const JIT_OPERATING = [
  'operational-message',
  'evidence-item',
  'extension',
  'action-approval-request',
];
const JIT_ESTABLISHED = ['active', 'extended', 'expired'];
const OPENING = ['request', 'verification-request'];
const DAY_MS = 86_400_000;

type Body = Record<string, unknown>;
type Person = Record<string, unknown>;

interface RequestRow {
  id: string;
  procedure: Procedure;
  role: string;
  counterparts: string[];
  status: string;
  case_reference: string;
  opened_at: Date;
}

const record = (value: unknown): Body =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A person's disaggregation (004 fn. 19) from a message's structured person. */
function personAttributes(person: Person, at: Date): Partial<Record<Dimension, string>> {
  const roles = list(person.roles);
  const nationality = text(list(person.nationalities)[0]);
  return {
    ageBand: ageBand(ageAt(person.dateOfBirth, at), roles.includes('child')),
    sex: text(person.sex) ?? UNKNOWN,
    nationality: nationality?.toUpperCase() ?? UNKNOWN,
  };
}

function exploitationOf(body: Body): string {
  const forms = list(record(body.offence).exploitationForms).filter((form) => text(form));
  return forms.length === 0 ? UNKNOWN : forms.length === 1 ? String(forms[0]) : 'multiple';
}

/**
 * Reads what the indicators count from the node's records of one hosted authority: requests and
 * their messages (types, times), deadlines, the opening messages' persons and the freezes' amounts
 * (sealed: opened here, never returned), the case facts (returns, asylum) and the audit trail's
 * policy refusals. Units carry a quarter and coded values only.
 */
@Injectable()
export class IndicatorSource {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  async read(
    authorityId: string,
    start: Date,
    end: Date,
  ): Promise<{ units: IndicatorUnit[]; frozen: FrozenValue[] }> {
    const inPeriod = (at: Date) => at >= start && at < end;
    const requests = (await this.db
      .selectFrom('requests')
      .select(['id', 'procedure', 'role', 'counterparts', 'status', 'case_reference', 'opened_at'])
      .where('authority', '=', authorityId)
      .where('opened_at', '<', end)
      .execute()) as RequestRow[];
    const byId = new Map(requests.map((request) => [request.id, request]));
    const messages = await this.db
      .selectFrom('messages')
      .select(['id', 'request_id', 'message_type', 'created_at', 'payload'])
      .where('authority', '=', authorityId)
      .where('request_id', 'is not', null)
      .where('created_at', '<', end)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const deadlines = await this.db
      .selectFrom('deadlines')
      .innerJoin('requests', 'requests.id', 'deadlines.request_id')
      .select(['deadlines.request_id', 'deadlines.status', 'deadlines.due_at'])
      .where('requests.authority', '=', authorityId)
      .where('requests.procedure', '=', 'mla')
      .execute();
    const units: IndicatorUnit[] = [];
    const frozen: FrozenValue[] = [];
    const unit = (
      indicator: IndicatorUnit['indicator'],
      at: Date,
      request: RequestRow,
      attributes: IndicatorUnit['attributes'],
    ) => units.push({ indicator, period: quarterOf(at), procedure: request.procedure, attributes });
    const stateOf = (request: RequestRow) =>
      request.counterparts.length === 1 ? stateOfAuthorityId(request.counterparts[0]) : UNKNOWN;

    const openings = new Map<string, Body>();
    const firsts = new Set<string>();
    const threadTypes = new Map<string, Set<string>>();
    for (const message of messages) {
      const request = byId.get(message.request_id!);
      if (!request) continue;
      const types = threadTypes.get(request.id) ?? new Set<string>();
      types.add(message.message_type);
      threadTypes.set(request.id, types);
      const open = () =>
        record(this.cipher.open<Body>('messages.payload', message.id, message.payload).body);
      if (OPENING.includes(message.message_type) && !openings.has(request.id)) {
        openings.set(request.id, open());
      }
      if (!inPeriod(message.created_at)) continue;
      const direction = request.role === 'requesting' ? 'sent' : 'received';
      const once = (kind: string) =>
        !firsts.has(`${kind}|${request.id}`) && firsts.add(`${kind}|${request.id}`);
      if (
        (EXECUTIONS[request.procedure] ?? []).includes(message.message_type) &&
        once('executed')
      ) {
        unit('requests-executed', message.created_at, request, {
          direction,
          state: stateOf(request),
        });
      }
      if (request.procedure === 'mla' && message.message_type in MLA_OUTCOMES && once('response')) {
        const own = deadlines.filter((deadline) => deadline.request_id === request.id);
        const late = own.some(
          (deadline) =>
            deadline.status === 'expired' || new Date(deadline.due_at) < message.created_at,
        );
        unit('mla-responses', message.created_at, request, {
          outcome: MLA_OUTCOMES[message.message_type],
          direction,
          deadline: own.length === 0 ? 'none' : late ? 'late' : 'met',
          responseDays: responseDaysBand(
            Math.floor((message.created_at.getTime() - request.opened_at.getTime()) / DAY_MS),
          ),
          state: stateOf(request),
        });
      }
      if (request.procedure === 'assets' && ASSET_MEASURES.includes(message.message_type)) {
        unit('asset-measures', message.created_at, request, {
          measure: message.message_type,
          direction,
          state: stateOf(request),
        });
      }
      if (request.procedure === 'assets' && message.message_type === 'freezing-confirmation') {
        for (const asset of list(open().assets)) {
          const amount = record(record(asset).amount);
          if (typeof amount.amount === 'number' && text(amount.currency)) {
            frozen.push({
              period: quarterOf(message.created_at),
              currency: String(amount.currency),
              amount: amount.amount,
            });
          }
        }
      }
      if (
        request.procedure === 'nationality-verification' &&
        message.message_type === 'travel-document-issued' &&
        once('returned')
      ) {
        const subject = record(openings.get(request.id)?.person);
        unit('returns', message.created_at, request, {
          ...(await this.returnPreparation(authorityId, request.case_reference)),
          state: stateOf(request),
          ...personAttributes(subject, message.created_at),
        });
      }
    }

    for (const request of requests) {
      if (!inPeriod(request.opened_at)) continue;
      // Asset requests are counted as measures (each request of a case, with its direction).
      if (request.procedure === 'assets') continue;
      if (request.procedure === 'jit') {
        const types = threadTypes.get(request.id) ?? new Set();
        if (
          JIT_ESTABLISHED.includes(request.status) ||
          (request.status === 'closed' && JIT_OPERATING.some((type) => types.has(type)))
        ) {
          unit('jits-established', request.opened_at, request, {});
        }
        continue;
      }
      unit(
        request.role === 'requesting' ? 'requests-sent' : 'requests-received',
        request.opened_at,
        request,
        {
          state: stateOf(request),
        },
      );
      const opening = openings.get(request.id);
      if (request.procedure !== 'mla' || !opening) continue;
      for (const person of list(opening.persons).map(record)) {
        if (!list(person.roles).includes('victim')) continue;
        unit('victims', request.opened_at, request, {
          state: stateOf(request),
          exploitation: exploitationOf(opening),
          ...personAttributes(person, request.opened_at),
        });
      }
    }
    units.push(...(await this.asylumReferrals(authorityId, start, end)));
    units.push(...(await this.policyBlocks(authorityId, start, end)));
    return { units, frozen };
  }

  /** How the return was prepared, from the case facts of its subject (W-1, H-4; 004 Table 2). */
  private async returnPreparation(
    authorityId: string,
    caseReference: string,
  ): Promise<Partial<Record<Dimension, string>>> {
    const row = await this.db
      .selectFrom('case_facts')
      .select('facts')
      .where('authority', '=', authorityId)
      .where('case_reference', '=', caseReference)
      .where('procedure', '=', 'nationality-verification')
      .executeTakeFirst();
    const facts = row
      ? this.cipher.open<Body>(
          'case_facts.facts',
          procedureFactsRowId(authorityId, caseReference, 'nationality-verification'),
          row.facts,
        )
      : {};
    const persons = list(facts.persons).map(record);
    const subject = persons.find((person) => person.subjectOfCase === true) ?? persons[0] ?? {};
    const assessment = record(subject.riskAssessment);
    return {
      voluntary:
        subject.returnVoluntary === true
          ? 'voluntary'
          : subject.returnVoluntary === false
            ? 'non-voluntary'
            : 'not-recorded',
      riskAssessment: assessment.done === true ? 'done' : 'not-recorded',
      // Safe: an individual risk assessment concluded that the return carries no risk (H-4).
      safety:
        assessment.done === true && assessment.outcome === 'no-risk'
          ? 'assessed-safe'
          : assessment.done === true && assessment.outcome === 'risk'
            ? 'risk-identified'
            : 'not-established',
    };
  }

  /** Persons of cases opened in the period with an asylum claim or protection on record (H-1). */
  private async asylumReferrals(
    authorityId: string,
    start: Date,
    end: Date,
  ): Promise<IndicatorUnit[]> {
    const rows = await this.db
      .selectFrom('case_facts')
      .innerJoin('cases', 'cases.reference', 'case_facts.case_reference')
      .select([
        'case_facts.case_reference',
        'case_facts.procedure',
        'case_facts.facts',
        'cases.opened_at',
      ])
      .where('case_facts.authority', '=', authorityId)
      .where('cases.opened_at', '>=', start)
      .where('cases.opened_at', '<', end)
      .orderBy('case_facts.case_reference')
      .orderBy('case_facts.procedure')
      .execute();
    const seen = new Set<string>();
    const units: IndicatorUnit[] = [];
    for (const row of rows) {
      const facts = this.cipher.open<Body>(
        'case_facts.facts',
        procedureFactsRowId(authorityId, row.case_reference, row.procedure),
        row.facts,
      );
      list(facts.persons)
        .map(record)
        .forEach((person, index) => {
          const status = text(record(person.asylum).status);
          if (!status || status === 'none') return;
          // The same person recorded under several procedures of a case counts once.
          const identity =
            text(person.personKey) ?? text(person.label) ?? `${row.procedure}#${index}`;
          if (seen.has(`${row.case_reference}|${identity}`)) return;
          seen.add(`${row.case_reference}|${identity}`);
          const nationality = text(list(person.nationalities)[0]);
          units.push({
            indicator: 'asylum-referrals',
            period: quarterOf(new Date(row.opened_at)),
            procedure: row.procedure as Procedure,
            attributes: {
              ageBand: ageBand(
                ageAt(person.dateOfBirth, new Date(row.opened_at)),
                record(person.child).isChild === true,
              ),
              nationality: nationality?.toUpperCase() ?? UNKNOWN,
            },
          });
        });
    }
    return units;
  }

  /** Each hard block a refused submission of the authority's officers cited (domain.md 4). */
  private async policyBlocks(
    authorityId: string,
    start: Date,
    end: Date,
  ): Promise<IndicatorUnit[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .innerJoin('users', 'users.username', 'audit_log.actor')
      .select(['audit_log.occurred_at', 'audit_log.details'])
      .where('audit_log.event', '=', 'policy.refused')
      .where('users.authority', '=', authorityId)
      .where('audit_log.occurred_at', '>=', start)
      .where('audit_log.occurred_at', '<', end)
      .execute();
    return rows.flatMap((row) => {
      const details = record(
        typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
      );
      const procedure = text(details.procedure) as Procedure | undefined;
      if (!procedure) return [];
      const rules = new Set(
        list(details.findings)
          .map(record)
          .filter((finding) => finding.severity === 'block')
          .flatMap((finding) => text(finding.ruleId) ?? []),
      );
      return [...rules].map((rule): IndicatorUnit => ({
        indicator: 'policy-blocks',
        period: quarterOf(new Date(row.occurred_at)),
        procedure,
        attributes: { rule },
      }));
    });
  }
}
