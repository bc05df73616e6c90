import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import {
  get,
  type Authority,
  type FormDescription,
  type Me,
  type MessageDetail,
  type RequestDetail,
} from '../api.js';
import { Attachments, findingsOf, useAttachments } from '../attachments.js';
import { ErrorView, RoutingFieldset, SelectField, TextField } from '../components.js';
import { fieldLabel } from '../form-labels.js';
import {
  Checklist,
  cleaned,
  fieldErrorsOf,
  GeneratedFields,
  initialBody,
  missingIn,
  setAt,
  type Body,
  type Value,
} from '../generated-form.js';
import { LANGUAGES, useI18n } from '../i18n.js';
import { newIdempotencyKey, SubmissionOutcome, useSubmission } from './compose.js';
import { useEnumLabel } from '../enum-labels.js';

/*
 * What an officer does in a request's thread, each behind the permissions the API checks: answer
 * (a message type of the procedure, its form generated from the schema), withdraw (the requesting
 * side) and forward received content under the handling conditions it arrived with.
 */

export type Action = 'answer' | 'withdraw' | 'forward';

interface Handling {
  permittedPurpose: string;
  confidential: boolean;
  noOnwardTransferTo: string[];
}

/** The actions the officer's permissions and side allow on this request. */
export function actionsFor(me: Me, request: RequestDetail): Action[] {
  const has = (...permissions: string[]) => permissions.every((p) => me.permissions.includes(p));
  const actions: Action[] = [];
  // What the procedure lets this side send next (the API's `nextMessageTypes`).
  if (
    has('requests.answer', 'procedures.read', 'policy.explain') &&
    answerTypes(request).length > 0
  )
    actions.push('answer');
  if (has('requests.withdraw') && request.nextMessageTypes.includes('withdrawal'))
    actions.push('withdraw');
  if (
    has('messages.forward', 'messages.read', 'policy.explain', 'directory.read') &&
    request.thread.some((m) => m.direction === 'inbound')
  ) {
    actions.push('forward');
  }
  return actions;
}

/** The types an answer may be: what comes next, but a withdrawal (its own action and route). */
function answerTypes(request: RequestDetail): string[] {
  return request.nextMessageTypes.filter((type) => type !== 'withdrawal');
}

/** ISO codes typed as `FR, it` → `['FR', 'IT']`. */
function countries(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
}

/** The handling conditions a message travels under, as a definition list. */
function HandlingFacts({ handling }: { handling: Handling }) {
  const { t } = useI18n();
  return (
    <dl class="facts">
      <dt>{t('field.permittedPurpose')}</dt>
      <dd>{handling.permittedPurpose}</dd>
      <dt>{t('field.confidential')}</dt>
      <dd>{handling.confidential ? t('request.yes') : t('request.no')}</dd>
      <dt>{t('field.noOnwardTransferTo')}</dt>
      <dd>{handling.noOnwardTransferTo.join(', ') || '—'}</dd>
    </dl>
  );
}

/**
 * An answer in the thread: the message types the procedure lets the officer's side send next
 * (the request's `nextMessageTypes`), the generated form, the handling conditions (those of the
 * request by default), the policy preview, then the send.
 */
export function AnswerForm({
  me,
  request,
  onSent,
}: {
  me: Me;
  request: RequestDetail;
  onSent: () => void;
}) {
  const { t, language } = useI18n();
  const enumLabel = useEnumLabel();
  const labels = LANGUAGES[language]?.labels ?? {};
  const label = (name: string) => fieldLabel(labels, name);
  const [procedureForms, setForms] = useState<FormDescription[]>();
  // Filtered on each render: the request reloads after a message and its next types change.
  const forms = procedureForms?.filter((m) => answerTypes(request).includes(m.messageType));
  const [messageType, setMessageType] = useState('');
  const [body, setBody] = useState<Body>({});
  const [handling, setHandling] = useState<{
    permittedPurpose: string;
    confidential: boolean;
    noOnwardTransferTo: string;
  }>({ permittedPurpose: '', confidential: true, noOnwardTransferTo: '' });
  // Bank records, certified copies: uploaded as for a new message, sent with the answer.
  const files = useAttachments(me.username, () => outcome.changed());
  const attaching = me.permissions.includes('files.upload');
  const idempotencyKey = useMemo(
    () => newIdempotencyKey(),
    [messageType, body, handling, files.key],
  );
  const outcome = useSubmission(idempotencyKey, {
    explain: '/api/v1/policy/explain',
    send: `/api/v1/requests/${encodeURIComponent(request.id)}/messages`,
  });
  const { preview, sent, supervised, error, setError, busy } = outcome;

  useEffect(() => {
    get<{ procedures: Array<{ procedure: string; messageTypes: FormDescription[] }> }>(
      '/api/v1/procedures',
    ).then((answer) => {
      const procedure = answer.procedures.find((p) => p.procedure === request.procedure);
      setForms(procedure?.messageTypes ?? []);
    }, setError);
    // The request's handling conditions, from its opening message: what an answer travels under.
    const opening = request.thread[0];
    if (opening && me.permissions.includes('messages.read')) {
      get<MessageDetail>(`/api/v1/messages/${encodeURIComponent(opening.messageId)}`).then(
        (message) => {
          const conditions = message.payload.handling;
          if (conditions) {
            setHandling({
              permittedPurpose: conditions.permittedPurpose,
              confidential: conditions.confidential,
              noOnwardTransferTo: conditions.noOnwardTransferTo.join(', '),
            });
          }
        },
        () => undefined,
      );
    }
  }, [request.id]);

  useEffect(() => {
    if (sent) onSent();
  }, [sent]);

  const form = forms?.find((f) => f.messageType === messageType);
  const choose = (type: string) => {
    const next = forms?.find((f) => f.messageType === type);
    setMessageType(type);
    setBody(next ? initialBody(next) : {});
    outcome.changed();
    setError(undefined);
  };
  const update = (path: (string | number)[], value: Value) => {
    setBody((current) => setAt(current, path, value));
    outcome.changed();
  };
  const changeHandling = (change: Partial<typeof handling>) => {
    setHandling((current) => ({ ...current, ...change }));
    outcome.changed();
  };
  const payload = form ? cleaned(form.fields, body) : {};
  const conditions: Handling = {
    permittedPurpose: handling.permittedPurpose.trim(),
    confidential: handling.confidential,
    noOnwardTransferTo: countries(handling.noOnwardTransferTo),
  };
  const checklist = form ? missingIn(form.fields, payload, '', label) : [];
  const fieldErrors = fieldErrorsOf(error);
  const blocked = preview?.some((p) => p.outcome === 'block') ?? true;

  return (
    <section aria-labelledby="answer-title" class="card">
      <h2 id="answer-title">{t('request.answer.title')}</h2>
      {forms && forms.length === 0 && <p>{t('request.answer.none')}</p>}
      <form
        class="compose"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void outcome.askPreview(
            files.with({
              procedure: request.procedure,
              messageType,
              requestId: request.id,
              handling: conditions,
              body: payload,
            }),
          );
        }}
      >
        <SelectField
          id="answer-messageType"
          label={t('form.messageType')}
          required
          value={messageType}
          onValue={choose}
          placeholder={t('request.answer.choose')}
          options={(forms ?? []).map((f) => ({
            value: f.messageType,
            label: enumLabel('messageType', f.messageType),
          }))}
          hint={t('request.answer.help', { role: request.role })}
        />
        {form && (
          <>
            <fieldset>
              <legend>{t('request.handling')}</legend>
              <TextField
                id="answer-permittedPurpose"
                label={t('field.permittedPurpose')}
                required
                value={handling.permittedPurpose}
                onValue={(permittedPurpose) => changeHandling({ permittedPurpose })}
              />
              <div class="check">
                <input
                  id="answer-confidential"
                  type="checkbox"
                  checked={handling.confidential}
                  onChange={(e) =>
                    changeHandling({ confidential: (e.target as HTMLInputElement).checked })
                  }
                />
                <label for="answer-confidential">{t('field.confidential')}</label>
              </div>
              <TextField
                id="answer-noOnwardTransferTo"
                label={t('field.noOnwardTransferTo')}
                value={handling.noOnwardTransferTo}
                onValue={(noOnwardTransferTo) => changeHandling({ noOnwardTransferTo })}
              />
            </fieldset>
            <fieldset>
              <legend>{t('request.answer.body')}</legend>
              <GeneratedFields
                fields={form.fields}
                body={body}
                update={update}
                fieldErrors={fieldErrors}
              />
            </fieldset>
            <Checklist items={checklist} />
            {attaching && (
              <Attachments files={files} findings={findingsOf(preview, error)} idPrefix="answer" />
            )}
          </>
        )}
        {fieldErrors.size > 0 && (
          <p class="error">{t('form.invalid', { count: fieldErrors.size })}</p>
        )}
        <ErrorView error={error} />
        {form && (
          <div class="actions">
            <button type="submit" disabled={busy || files.pending}>
              {t('compose.preview')}
            </button>
            <button
              type="button"
              class="primary"
              disabled={busy || files.pending || !preview || blocked || sent !== undefined}
              aria-describedby="answer-send-help"
              onClick={() =>
                void outcome.send(files.with({ messageType, handling: conditions, body: payload }))
              }
            >
              {t('compose.send')}
            </button>
            <span id="answer-send-help" class="help">
              {t('compose.sendHelp')}
            </span>
          </div>
        )}
      </form>
      <SubmissionOutcome preview={preview} supervised={supervised} />
      {sent && (
        <p role="status" class="notice">
          {t('request.answer.sent')}
        </p>
      )}
    </section>
  );
}

/** A withdrawal (the requesting side): its reasons, then a confirmation before it goes. */
export function WithdrawForm({ request, onSent }: { request: RequestDetail; onSent: () => void }) {
  const { t } = useI18n();
  const [reasons, setReasons] = useState('');
  const [confirming, setConfirming] = useState(false);
  const idempotencyKey = useMemo(() => newIdempotencyKey(), [reasons]);
  const outcome = useSubmission(idempotencyKey, {
    send: `/api/v1/requests/${encodeURIComponent(request.id)}/withdraw`,
  });
  const { sent, supervised, error, busy } = outcome;

  // Focused as it appears (a layout effect runs before anything else can look).
  useLayoutEffect(() => {
    if (confirming) document.getElementById('withdraw-confirm')?.focus();
  }, [confirming]);
  useEffect(() => {
    if (sent) onSent();
  }, [sent]);

  return (
    <section aria-labelledby="withdraw-title" class="card">
      <h2 id="withdraw-title">{t('request.withdraw.title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (reasons.trim()) setConfirming(true);
        }}
      >
        <div class="field">
          <label for="withdraw-reasons">{t('request.withdraw.reasons')}</label>
          <textarea
            id="withdraw-reasons"
            rows={3}
            required
            maxLength={2000}
            value={reasons}
            onInput={(e) => {
              setReasons((e.target as HTMLTextAreaElement).value);
              setConfirming(false);
              outcome.changed();
            }}
          />
        </div>
        <ErrorView error={error} />
        {!confirming && sent === undefined && (
          <div class="actions">
            <button type="submit" disabled={busy || !reasons.trim()}>
              {t('request.withdraw.start')}
            </button>
          </div>
        )}
      </form>
      {confirming && sent === undefined && supervised === undefined && (
        <div role="group" aria-labelledby="withdraw-question" class="notice">
          <p id="withdraw-question">
            {t('request.withdraw.question', { reference: request.caseReference })}
          </p>
          <div class="actions">
            <button
              id="withdraw-confirm"
              type="button"
              class="primary"
              disabled={busy}
              onClick={() => void outcome.send({ reasons: reasons.trim() })}
            >
              {t('request.withdraw.confirm')}
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
              {t('request.withdraw.cancel')}
            </button>
          </div>
        </div>
      )}
      <SubmissionOutcome supervised={supervised} />
      {sent && (
        <p role="status" class="notice">
          {t('request.withdraw.sent')}
        </p>
      )}
    </section>
  );
}

/**
 * Received content passed on: a message of the thread, a recipient, the purpose (another purpose
 * than the permitted one, or confidential content, needs the sending State's consent on record:
 * UNTOC 18(19), 18(20)); the preview names the rules and legal bases, then the forwarding.
 */
export function ForwardForm({ me, request }: { me: Me; request: RequestDetail }) {
  const { t } = useI18n();
  const enumLabel = useEnumLabel();
  const received = request.thread.filter((m) => m.direction === 'inbound');
  const [authorities, setAuthorities] = useState<Authority[]>([]);
  const [messageId, setMessageId] = useState('');
  const [arrivedWith, setArrivedWith] = useState<Handling>();
  const [draft, setDraft] = useState({
    recipient: '',
    caseReference: request.caseReference,
    purpose: '',
    consentReference: '',
  });
  const idempotencyKey = useMemo(() => newIdempotencyKey(), [messageId, draft]);
  const path = `/api/v1/messages/${encodeURIComponent(messageId)}/forward`;
  const outcome = useSubmission(idempotencyKey, { explain: `${path}/explain`, send: path });
  const { preview, sent, supervised, error, setError, busy } = outcome;

  useEffect(() => {
    get<{ authorities: Authority[] }>('/api/v1/directory').then(
      (directory) => setAuthorities(directory.authorities),
      setError,
    );
  }, [me]);

  const choose = (id: string) => {
    setMessageId(id);
    setArrivedWith(undefined);
    outcome.changed();
    setError(undefined);
    if (!id) return;
    get<MessageDetail>(`/api/v1/messages/${encodeURIComponent(id)}`).then((message) => {
      const conditions = message.payload.handling;
      if (!conditions) return;
      setArrivedWith(conditions);
      setDraft((current) => ({ ...current, purpose: conditions.permittedPurpose }));
    }, setError);
  };
  const update = (change: Partial<typeof draft>) => {
    setDraft((current) => ({ ...current, ...change }));
    outcome.changed();
  };
  const submission = () => ({
    recipients: draft.recipient ? [draft.recipient] : [],
    caseReference: draft.caseReference.trim(),
    purpose: draft.purpose.trim(),
    ...(draft.consentReference.trim() && { consentReference: draft.consentReference.trim() }),
  });
  const blocked = preview?.some((p) => p.outcome === 'block') ?? true;
  const others = authorities.filter((a) => a.id !== me.authorityId);

  return (
    <section aria-labelledby="forward-title" class="card">
      <h2 id="forward-title">{t('request.forward.title')}</h2>
      <form
        class="compose"
        onSubmit={(e) => {
          e.preventDefault();
          void outcome.askPreview(submission());
        }}
      >
        <SelectField
          id="forward-message"
          label={t('request.forward.message')}
          required
          value={messageId}
          onValue={choose}
          placeholder={t('request.forward.choose')}
          options={received.map((m) => ({
            value: m.messageId,
            label: `${enumLabel('messageType', m.messageType)} – ${m.sender} – ${m.createdAt.slice(0, 16).replace('T', ' ')}`,
          }))}
        />
        {arrivedWith && (
          <section aria-labelledby="forward-arrived" class="card">
            <h3 id="forward-arrived">{t('request.forward.arrivedWith')}</h3>
            <HandlingFacts handling={arrivedWith} />
          </section>
        )}
        {messageId && (
          <RoutingFieldset
            idPrefix="forward"
            legend={t('request.forward.routing')}
            recipients={others}
            routing={draft}
            update={update}
          >
            <TextField
              id="forward-purpose"
              label={t('request.forward.purpose')}
              required
              value={draft.purpose}
              onValue={(purpose) => update({ purpose })}
            />
            <TextField
              id="forward-consent"
              label={t('request.forward.consent')}
              hint={t('request.forward.consentHelp')}
              value={draft.consentReference}
              onValue={(consentReference) => update({ consentReference })}
            />
          </RoutingFieldset>
        )}
        <ErrorView error={error} />
        {messageId && (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t('request.forward.preview')}
            </button>
            <button
              type="button"
              class="primary"
              disabled={busy || !preview || blocked || sent !== undefined}
              aria-describedby="forward-send-help"
              onClick={() => void outcome.send(submission())}
            >
              {t('request.forward.send')}
            </button>
            <span id="forward-send-help" class="help">
              {t('compose.sendHelp')}
            </span>
          </div>
        )}
      </form>
      <SubmissionOutcome preview={preview} supervised={supervised} />
      {sent && (
        <p role="status" class="notice">
          {t('request.forward.sent')}
        </p>
      )}
    </section>
  );
}
