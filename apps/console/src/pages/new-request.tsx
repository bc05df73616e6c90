import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, type Authority, type FormDescription, type Me } from '../api.js';
import { Attachments, findingsOf, useAttachments } from '../attachments.js';
import { ErrorView, Page, RoutingFieldset, SelectField } from '../components.js';
import { fieldLabel } from '../form-labels.js';
import {
  cleaned,
  Checklist,
  fieldErrorsOf,
  GeneratedFields,
  initialBody,
  missingIn,
  setAt,
  type Body,
  type Value,
} from '../generated-form.js';
import { LANGUAGES, useI18n, type LabelKey } from '../i18n.js';
import { newIdempotencyKey, SubmissionOutcome, useSubmission } from './compose.js';
import { useEnumLabel } from '../enum-labels.js';

/*
 * A new request of any procedure, its form generated from the schema the API validates
 * (GET /api/v1/procedures, rendered by ../generated-form.tsx): the API's refusals at their fields,
 * and before sending a checklist of the essential content still missing, each with its legal basis.
 */

interface Routing {
  recipient: string;
  caseReference: string;
  permittedPurpose: string;
  confidential: boolean;
}

const EMPTY_ROUTING: Routing = {
  recipient: '',
  caseReference: '',
  permittedPurpose: '',
  confidential: true,
};

export function NewRequestPage({ me }: { me: Me }) {
  const { t, language } = useI18n();
  const enumLabel = useEnumLabel();
  const labels = LANGUAGES[language]?.labels ?? {};
  const label = (name: string) => fieldLabel(labels, name);
  const [forms, setForms] = useState<Array<{ procedure: string; forms: FormDescription[] }>>();
  const [authorities, setAuthorities] = useState<Authority[]>([]);
  const [procedure, setProcedure] = useState('');
  const [messageType, setMessageType] = useState('');
  const [routing, setRouting] = useState<Routing>(EMPTY_ROUTING);
  const [body, setBody] = useState<Body>({});
  const files = useAttachments(me.username, () => outcome.changed());
  const idempotencyKey = useMemo(
    () => newIdempotencyKey(),
    [procedure, messageType, routing, body, files.key],
  );
  const outcome = useSubmission(idempotencyKey);
  const { preview, sent, supervised, error, setError, busy } = outcome;

  useEffect(() => {
    get<{ procedures: Array<{ procedure: string; messageTypes: FormDescription[] }> }>(
      '/api/v1/procedures',
    ).then(
      (answer) =>
        setForms(
          answer.procedures.map((p) => ({
            procedure: p.procedure,
            // What a new case opens with, sent by the side that opens it.
            forms: p.messageTypes.filter(
              (m) => m.opensCase && m.senders.some((s) => s === 'requesting' || s === 'member'),
            ),
          })),
        ),
      setError,
    );
    if (me.permissions.includes('directory.read')) {
      get<{ authorities: Authority[] }>('/api/v1/directory').then(
        (directory) => setAuthorities(directory.authorities),
        setError,
      );
    }
  }, [me]);

  const others = authorities.filter((a) => a.id !== me.authorityId);
  const accepts = (a: Authority, p: string) => !a.procedures || a.procedures.includes(p);
  // The procedures the officer may open a case of and some recipient accepts.
  const procedures = (forms ?? []).filter(
    (p) => p.forms.length > 0 && others.some((a) => accepts(a, p.procedure)),
  );
  const chosen = procedures.find((p) => p.procedure === procedure);
  const form = chosen?.forms.find((f) => f.messageType === messageType);
  const recipients = others.filter((a) => accepts(a, procedure));
  const own = authorities.find((a) => a.id === me.authorityId);

  const choose = (nextProcedure: string, nextType?: string) => {
    const next = procedures.find((p) => p.procedure === nextProcedure);
    const type = nextType ?? next?.forms[0]?.messageType ?? '';
    const nextForm = next?.forms.find((f) => f.messageType === type);
    setProcedure(nextProcedure);
    setMessageType(type);
    setBody(nextForm ? prefilled(nextForm) : {});
    setRouting((r) => ({ ...r, recipient: '' }));
    outcome.changed();
    setError(undefined);
  };

  /** The requesting authority is the officer's own: filled in, still editable. */
  const prefilled = (next: FormDescription): Body => {
    const start = initialBody(next);
    if (next.fields.some((f) => f.name === 'requestingAuthority')) {
      start.requestingAuthority = { id: me.authorityId, name: own?.name ?? me.authorityId };
    }
    return start;
  };

  const changed = () => {
    outcome.changed();
  };
  const update = (path: (string | number)[], value: Value) => {
    setBody((current) => setAt(current, path, value));
    changed();
  };

  const payload = form ? cleaned(form.fields, body) : {};
  const submission = () => ({
    procedure,
    messageType,
    recipients: routing.recipient ? [routing.recipient] : [],
    caseReference: routing.caseReference.trim(),
    handling: {
      permittedPurpose: routing.permittedPurpose.trim(),
      confidential: routing.confidential,
      noOnwardTransferTo: [],
    },
    body: payload,
  });
  const checklist = form ? missingIn(form.fields, payload, '', label) : [];

  const fieldErrors = fieldErrorsOf(error);

  const askPreview = () => outcome.askPreview(files.with(submission()));
  const send = () => outcome.send(files.with(submission()));

  const blocked = preview?.some((p) => p.outcome === 'block') ?? true;

  return (
    <Page title={t('form.title')}>
      {forms && procedures.length === 0 && <p>{t('form.noProcedure')}</p>}
      <form
        class="compose"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void askPreview();
        }}
      >
        <fieldset>
          <legend>{t('form.procedureAndType')}</legend>
          <SelectField
            id="form-procedure"
            label={t('field.procedure')}
            required
            value={procedure}
            onValue={(value) => choose(value)}
            placeholder={t('form.chooseProcedure')}
            options={procedures.map((p) => ({
              value: p.procedure,
              label: t(`procedure.${p.procedure}` as LabelKey),
            }))}
          />
          {chosen && (
            <SelectField
              id="form-messageType"
              label={t('form.messageType')}
              required
              value={messageType}
              onValue={(value) => choose(procedure, value)}
              options={chosen.forms.map((f) => ({
                value: f.messageType,
                label: enumLabel('messageType', f.messageType),
              }))}
            />
          )}
        </fieldset>
        {form && (
          <>
            <RoutingFieldset
              idPrefix="form-routing"
              legend={t('compose.routing')}
              recipients={recipients}
              routing={routing}
              update={(change) => {
                setRouting({ ...routing, ...change });
                changed();
              }}
            />
            <fieldset>
              <legend>{t('form.body')}</legend>
              <GeneratedFields
                fields={form.fields}
                body={body}
                update={update}
                fieldErrors={fieldErrors}
              />
            </fieldset>
            <Checklist items={checklist} />
            {fieldErrors.size > 0 && (
              <p class="error">{t('form.invalid', { count: fieldErrors.size })}</p>
            )}
            <Attachments files={files} findings={findingsOf(preview, error)} idPrefix="form" />
            <ErrorView error={error} />
            <div class="actions">
              <button type="submit" disabled={busy || files.pending}>
                {t('compose.preview')}
              </button>
              <button
                type="button"
                class="primary"
                disabled={busy || files.pending || !preview || blocked || sent !== undefined}
                aria-describedby="form-send-help"
                onClick={() => void send()}
              >
                {t('compose.send')}
              </button>
              <span id="form-send-help" class="help">
                {t('compose.sendHelp')}
              </span>
            </div>
          </>
        )}
      </form>
      <SubmissionOutcome preview={preview} supervised={supervised} sent={sent} />
    </Page>
  );
}
