import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post, type Authority, type Me, type RecipientPreview } from '../api.js';
import { Attachments, findingsOf, useAttachments } from '../attachments.js';
import { ErrorView, Page, RoutingFieldset, SelectField, TextField } from '../components.js';
import { useI18n, type LabelKey } from '../i18n.js';

const ASSISTANCE = [
  'taking-evidence',
  'service-of-documents',
  'search-seizure-freezing',
  'examining-objects-sites',
  'information-evidence-expert-evaluations',
  'documents-records',
  'identify-trace-proceeds',
  'voluntary-appearance',
  'video-link-hearing',
  'other',
] as const;
const NATURES = ['investigation', 'prosecution', 'judicial-proceeding'] as const;
const LEGAL_BASES = ['untoc-18-7', 'bilateral-treaty', 'reciprocity'] as const;
const PERSON_ROLES = ['suspect', 'victim', 'witness', 'child', 'age-uncertain'] as const;

interface Draft {
  recipient: string;
  caseReference: string;
  permittedPurpose: string;
  confidential: boolean;
  subjectMatter: string;
  nature: string;
  conductingName: string;
  conductingFunctions: string;
  summaryOfFacts: string;
  assistanceSought: string[];
  familyName: string;
  givenName: string;
  nationality: string;
  personRole: string;
  purpose: string;
  legalBasis: string;
  offenceAction: string;
  offenceMeans: string;
  offencePurpose: string;
  childVictim: boolean;
  urgent: boolean;
  urgencyReasons: string;
  deadlineDate: string;
  deadlineReasons: string;
  confidentialityRequested: boolean;
}

const EMPTY: Draft = {
  recipient: '',
  caseReference: '',
  permittedPurpose: '',
  confidential: true,
  subjectMatter: '',
  nature: 'investigation',
  conductingName: '',
  conductingFunctions: '',
  summaryOfFacts: '',
  assistanceSought: [],
  familyName: '',
  givenName: '',
  nationality: '',
  personRole: 'suspect',
  purpose: '',
  legalBasis: 'untoc-18-7',
  offenceAction: '',
  offenceMeans: '',
  offencePurpose: '',
  childVictim: false,
  urgent: false,
  urgencyReasons: '',
  deadlineDate: '',
  deadlineReasons: '',
  confidentialityRequested: true,
};

/** The submission the API validates (POST /api/v1/messages), from the form. */
function submissionOf(draft: Draft, me: Me, ownName: string) {
  const person =
    draft.familyName.trim() || draft.givenName.trim()
      ? [
          {
            names: {
              familyNames: draft.familyName.trim() ? [draft.familyName.trim()] : [],
              givenNames: draft.givenName.trim() ? [draft.givenName.trim()] : [],
            },
            ...(draft.nationality.trim() && {
              nationalities: [draft.nationality.trim().toUpperCase()],
            }),
            roles: [draft.personRole],
          },
        ]
      : [];
  return {
    procedure: 'mla',
    messageType: 'request',
    recipients: draft.recipient ? [draft.recipient] : [],
    caseReference: draft.caseReference.trim(),
    handling: {
      permittedPurpose: draft.permittedPurpose.trim(),
      confidential: draft.confidential,
      noOnwardTransferTo: [],
    },
    body: {
      requestingAuthority: { id: me.authorityId, name: ownName },
      proceeding: {
        subjectMatter: draft.subjectMatter,
        nature: draft.nature,
        conductingAuthority: { name: draft.conductingName, functions: draft.conductingFunctions },
      },
      summaryOfFacts: draft.summaryOfFacts,
      assistanceSought: draft.assistanceSought,
      persons: person,
      purpose: draft.purpose,
      legalBasis: { kind: draft.legalBasis },
      offence: {
        action: draft.offenceAction,
        ...(draft.offenceMeans.trim() && { means: draft.offenceMeans }),
        purpose: draft.offencePurpose,
        childVictim: draft.childVictim,
      },
      urgency: draft.urgent ? { urgent: true, reasons: draft.urgencyReasons } : { urgent: false },
      ...(draft.deadlineDate && {
        suggestedDeadline: { date: draft.deadlineDate, reasons: draft.deadlineReasons },
      }),
      confidentialityRequested: draft.confidentialityRequested,
    },
  };
}

/** 128 random bits (crypto.randomUUID exists in secure contexts only; a node may run plain HTTP). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

type TextKey = {
  [K in keyof Draft]: Draft[K] extends string ? K : never;
}[keyof Draft];
type FlagKey = {
  [K in keyof Draft]: Draft[K] extends boolean ? K : never;
}[keyof Draft];

/** Compose an MLA request: the policy preview (rule ids, legal bases) comes before sending. */
export function ComposePage({ me }: { me: Me }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [authorities, setAuthorities] = useState<Authority[]>([]);
  // One key per draft: a retried send answers with the first answer, never a second request.
  const files = useAttachments(me.username, () => outcome.changed());
  const idempotencyKey = useMemo(() => newIdempotencyKey(), [draft, files.key]);
  const outcome = useSubmission(idempotencyKey);
  const { preview, sent, supervised, error, setError, busy } = outcome;

  useEffect(() => {
    if (!me.permissions.includes('directory.read')) return;
    get<{ authorities: Authority[] }>('/api/v1/directory').then(
      (directory) => setAuthorities(directory.authorities),
      setError,
    );
  }, [me]);

  const own = authorities.find((a) => a.id === me.authorityId);
  const recipients = authorities.filter(
    (a) => a.id !== me.authorityId && (!a.procedures || a.procedures.includes('mla')),
  );

  const update = (change: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...change }));
    // The preview was of another draft: it must be asked for again before sending.
    outcome.changed();
  };

  const submission = () => files.with(submissionOf(draft, me, own?.name ?? me.authorityId));
  const askPreview = () => outcome.askPreview(submission());
  const send = () => outcome.send(submission());

  const text = (
    key: TextKey,
    label: LabelKey,
    options: { area?: boolean; required?: boolean } = {},
  ) => (
    <TextField
      id={`compose-${key}`}
      name={key}
      label={t(label)}
      value={draft[key]}
      required={options.required ?? true}
      area={options.area}
      onValue={(value) => update({ [key]: value })}
    />
  );
  const flag = (key: FlagKey, label: LabelKey) => (
    <div class="check">
      <input
        id={`compose-${key}`}
        type="checkbox"
        checked={draft[key]}
        onChange={(e) => update({ [key]: (e.target as HTMLInputElement).checked })}
      />
      <label for={`compose-${key}`}>{t(label)}</label>
    </div>
  );
  const choice = (key: TextKey, label: LabelKey, values: readonly string[], prefix: string) => (
    <SelectField
      id={`compose-${key}`}
      label={t(label)}
      value={draft[key]}
      onValue={(value) => update({ [key]: value })}
      options={values.map((value) => ({ value, label: t(`${prefix}.${value}` as LabelKey) }))}
    />
  );

  const blocked = preview?.some((p) => p.outcome === 'block') ?? true;

  return (
    <Page title={t('compose.title')}>
      <form
        class="compose"
        onSubmit={(e) => {
          e.preventDefault();
          void askPreview();
        }}
      >
        <RoutingFieldset
          idPrefix="compose"
          legend={t('compose.routing')}
          recipients={recipients}
          routing={draft}
          update={update}
        />
        <fieldset>
          <legend>{t('compose.proceeding')}</legend>
          {text('subjectMatter', 'field.subjectMatter')}
          {choice('nature', 'field.nature', NATURES, 'nature')}
          {text('conductingName', 'field.conductingName')}
          {text('conductingFunctions', 'field.conductingFunctions')}
          {choice('legalBasis', 'field.legalBasis', LEGAL_BASES, 'legalBasis')}
        </fieldset>
        <fieldset>
          <legend>{t('compose.request')}</legend>
          {text('summaryOfFacts', 'field.summaryOfFacts', { area: true })}
          <fieldset class="choices">
            <legend>{t('field.assistanceSought')}</legend>
            {ASSISTANCE.map((type) => (
              <div class="check" key={type}>
                <input
                  id={`assistance-${type}`}
                  type="checkbox"
                  checked={draft.assistanceSought.includes(type)}
                  onChange={(e) =>
                    update({
                      assistanceSought: (e.target as HTMLInputElement).checked
                        ? [...draft.assistanceSought, type]
                        : draft.assistanceSought.filter((s) => s !== type),
                    })
                  }
                />
                <label for={`assistance-${type}`}>{t(`assistance.${type}` as LabelKey)}</label>
              </div>
            ))}
          </fieldset>
          {text('purpose', 'field.purpose')}
        </fieldset>
        <fieldset>
          <legend>{t('compose.offence')}</legend>
          {text('offenceAction', 'field.offenceAction', { area: true })}
          {text('offenceMeans', 'field.offenceMeans', { area: true, required: false })}
          {text('offencePurpose', 'field.offencePurpose')}
          {flag('childVictim', 'field.childVictim')}
        </fieldset>
        <fieldset>
          <legend>{t('compose.person')}</legend>
          {text('familyName', 'field.familyName', { required: false })}
          {text('givenName', 'field.givenName', { required: false })}
          {text('nationality', 'field.nationality', { required: false })}
          {choice('personRole', 'field.personRole', PERSON_ROLES, 'personRole')}
        </fieldset>
        <fieldset>
          <legend>{t('compose.timing')}</legend>
          {flag('urgent', 'field.urgent')}
          {draft.urgent && text('urgencyReasons', 'field.urgencyReasons', { area: true })}
          <TextField
            id="compose-deadlineDate"
            type="date"
            label={t('field.deadlineDate')}
            value={draft.deadlineDate}
            onValue={(deadlineDate) => update({ deadlineDate })}
          />
          {draft.deadlineDate && text('deadlineReasons', 'field.deadlineReasons', { area: true })}
          {flag('confidentialityRequested', 'field.confidentialityRequested')}
        </fieldset>
        <Attachments files={files} findings={findingsOf(preview, error)} idPrefix="compose" />
        <ErrorView error={error} />
        <div class="actions">
          <button type="submit" disabled={busy || files.pending}>
            {t('compose.preview')}
          </button>
          <button
            type="button"
            class="primary"
            disabled={
              busy ||
              files.pending ||
              !preview ||
              blocked ||
              sent !== undefined ||
              supervised !== undefined
            }
            aria-describedby="send-help"
            onClick={() => void send()}
          >
            {t('compose.send')}
          </button>
          <span id="send-help" class="help">
            {t('compose.sendHelp')}
          </span>
        </div>
      </form>
      <SubmissionOutcome preview={preview} supervised={supervised} sent={sent} />
    </Page>
  );
}

/** Where a draft is previewed and where it is sent: a new message by default. */
export interface SubmissionRoutes {
  /** The policy preview; none for what is sent without one (a withdrawal). */
  explain?: string;
  send: string;
}

const NEW_MESSAGE: SubmissionRoutes = {
  explain: '/api/v1/policy/explain',
  send: '/api/v1/messages',
};

/**
 * A draft's preview and sending, as every form that sends does them: the policy preview first,
 * then the send under the draft's idempotency key; a refusal only for warnings sends the draft to
 * a supervisor. `changed` forgets the preview and outcome of a draft that has changed since.
 * `routes`: a new message by default; an answer, a withdrawal or a forwarding name theirs.
 */
export function useSubmission(idempotencyKey: string, routes: SubmissionRoutes = NEW_MESSAGE) {
  const [preview, setPreview] = useState<RecipientPreview[]>();
  const [sent, setSent] = useState<{ requestId: string }>();
  const [supervised, setSupervised] = useState<{ id: string; rules: string[] }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return {
    preview,
    sent,
    supervised,
    error,
    setError,
    busy,
    changed: () => {
      setPreview(undefined);
      setSent(undefined);
      setSupervised(undefined);
    },
    askPreview: (submission: object) =>
      run(async () => {
        if (routes.explain) setPreview(await post<RecipientPreview[]>(routes.explain, submission));
      }),
    send: (submission: object) =>
      run(async () => {
        try {
          setSent(
            await post<{ requestId: string }>(routes.send, submission, {
              'idempotency-key': idempotencyKey,
            }),
          );
        } catch (failure) {
          // Refused only for warnings: the draft waits for a supervisor of the authority.
          const waiting = supervisedOf(failure);
          if (!waiting) throw failure;
          setSupervised(waiting);
        }
      }),
  };
}

/**
 * What became of a draft, below either compose form: the policy preview, the supervisor it went
 * to when a warning stopped it, or the request it opened.
 */
export function SubmissionOutcome({
  preview,
  supervised,
  sent,
}: {
  preview?: RecipientPreview[];
  supervised?: { id: string; rules: string[] };
  sent?: { requestId: string };
}) {
  const { t } = useI18n();
  return (
    <>
      {preview && <PolicyPreview preview={preview} />}
      {supervised && (
        <p role="status" class="notice">
          {t('compose.supervised', { id: supervised.id, rules: supervised.rules.join(', ') })}
        </p>
      )}
      {sent && (
        <p role="status" class="notice">
          {t('compose.sent')}{' '}
          <a href={`#/requests/${sent.requestId}`}>{t('compose.openRequest')}</a>
        </p>
      )}
    </>
  );
}

/** The submission a warning refusal sent to a supervisor, named in each warning of the refusal. */
function supervisedOf(failure: unknown): { id: string; rules: string[] } | undefined {
  if (!(failure instanceof ApiError) || failure.body.code !== 'POLICY_ACKNOWLEDGEMENT_REQUIRED')
    return undefined;
  const id = failure.body.details.find((d) => typeof d.supervisedSubmissionId === 'string')
    ?.supervisedSubmissionId as string | undefined;
  if (!id) return undefined;
  return {
    id,
    rules: failure.body.details.flatMap((d) => (typeof d.rule === 'string' ? [d.rule] : [])),
  };
}

/** The policy decision per recipient, with rule ids and legal bases: asked for before sending. */
export function PolicyPreview({ preview }: { preview: RecipientPreview[] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="preview-title" class="card">
      <h2 id="preview-title">{t('compose.previewTitle')}</h2>
      {preview.map((decision) => (
        <div key={decision.recipient} class="decision">
          <h3>
            {decision.recipient}:{' '}
            <span class={`outcome outcome-${decision.outcome}`}>
              {t(`outcome.${decision.outcome}` as LabelKey)}
            </span>
          </h3>
          <p class="explanation">{decision.explanation}</p>
          {decision.rules.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('field.rule')}</th>
                  <th scope="col">{t('field.message')}</th>
                </tr>
              </thead>
              <tbody>
                {decision.rules.map((rule, index) => (
                  <tr key={index}>
                    <td>
                      <code class="code">{typeof rule.rule === 'string' ? rule.rule : ''}</code>
                    </td>
                    <td>{typeof rule.message === 'string' ? rule.message : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {decision.redactions.length > 0 && (
            <p>
              {t('compose.redactions')}{' '}
              {decision.redactions.map((r) => `${r.path} (${r.ruleId})`).join(', ')}
            </p>
          )}
          {decision.awaitingChecks.length > 0 && (
            <p>{t('compose.awaiting', { registers: decision.awaitingChecks.join(', ') })}</p>
          )}
        </div>
      ))}
    </section>
  );
}
