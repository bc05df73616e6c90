import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Authority } from './api.js';
import { useI18n } from './i18n.js';
import { useEnumLabel } from './enum-labels.js';

/** An error from the API, inline: its code, its message, the rules and fields at fault. */
export function ErrorView({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const body = api?.body ?? {
    code: 'NETWORK_ERROR',
    message: error instanceof Error ? error.message : JSON.stringify(error),
    details: [],
  };
  return (
    <div role="alert" class="error">
      <p>
        <strong>{t('error.title')}</strong> <code class="code">{body.code}</code> {body.message}
      </p>
      {body.details.length > 0 && (
        <ul>
          {body.details.map((detail, index) => (
            <li key={index}>
              {typeof detail.rule === 'string' && (
                <>
                  {t('error.rule')} <code class="code">{detail.rule}</code>{' '}
                </>
              )}
              {typeof detail.field === 'string' && (
                <>
                  {t('error.field')} <code>{detail.field}</code>{' '}
                </>
              )}
              {typeof detail.message === 'string' && detail.message}
              {Object.entries(detail)
                .filter(([key]) => !['rule', 'field', 'message'].includes(key))
                .map(([key, value]) => (
                  <span key={key} class="muted">
                    {' '}
                    {key}: {typeof value === 'string' ? value : JSON.stringify(value)}
                  </span>
                ))}
            </li>
          ))}
        </ul>
      )}
      {api?.correlationId && (
        <p class="muted">
          {t('error.correlation')} <code>{api.correlationId}</code>
        </p>
      )}
    </div>
  );
}

/** A page: its title is the first heading, focused when the page opens (screen readers hear it). */
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} – TIP gateway`;
  }, [title]);
  // Focus moves to a page as it opens, not when its language changes.
  useLayoutEffect(() => document.getElementById('page-title')?.focus(), []);
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}

/**
 * An action's confirmation, inline: it opens focused on its confirm button; cancelled, focus goes
 * back to the control that opened it (`returnTo`, an element id).
 */
export function Confirmation(props: {
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  returnTo: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  // Focused as it appears (a layout effect runs before anything else can look): a keyboard user
  // confirms with Enter at once.
  useLayoutEffect(() => button.current?.focus(), []);
  const cancel = () => {
    props.onCancel();
    setTimeout(() => document.getElementById(props.returnTo)?.focus(), 0);
  };
  return (
    <div role="group" aria-labelledby="confirm-title" class="card">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.text}</p>
      <div class="actions">
        <button ref={button} type="button" class="primary" onClick={props.onConfirm}>
          {props.confirm}
        </button>
        <button type="button" onClick={cancel}>
          {props.cancel}
        </button>
      </div>
    </div>
  );
}

export function formatDateTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** The current time, every minute: what the deadline clocks count from. */
export function useNow(periodMs = 60_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** How long until a deadline, or how long it is overdue. */
export function DeadlineClock({ dueAt, status }: { dueAt: string; status: string }) {
  const { t, language } = useI18n();
  const enumLabel = useEnumLabel();
  const now = useNow();
  const remaining = new Date(dueAt).getTime() - now;
  const days = Math.floor(Math.abs(remaining) / 86_400_000);
  const hours = Math.floor((Math.abs(remaining) % 86_400_000) / 3_600_000);
  const running = status === 'running';
  const label = !running
    ? t('deadline.status', { status: enumLabel('clockStatus', status) })
    : remaining >= 0
      ? t('deadline.dueIn', { days, hours })
      : t('deadline.overdueBy', { days, hours });
  return (
    <span class={running && remaining < 0 ? 'clock overdue' : 'clock'}>
      <time dateTime={dueAt}>{formatDateTime(dueAt, language)}</time> · {label}
    </span>
  );
}

/** The next running deadline of a request, if any. */
export function nextDeadline<T extends { dueAt: string; status: string }>(deadlines: T[]) {
  return deadlines
    .filter((d) => d.status === 'running')
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
}

/**
 * A labelled text input (or textarea) as every form has them: the label is its accessible name
 * unless `accessibleName` says more; the hint and the error are announced with it.
 */
export function TextField({
  id,
  label,
  value,
  onValue,
  hint,
  error,
  required = false,
  area = false,
  type = 'text',
  name,
  accessibleName,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  error?: string;
  required?: boolean;
  area?: boolean;
  type?: 'text' | 'date';
  name?: string;
  accessibleName?: string;
}) {
  const describedBy =
    [hint !== undefined ? `${id}-help` : '', error ? `${id}-error` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const props = {
    id,
    name,
    value,
    required,
    'aria-label': accessibleName,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    onInput: (e: Event) => onValue((e.target as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {area ? (
        <textarea rows={4} {...props} />
      ) : type === 'date' ? (
        <input type="date" {...props} />
      ) : (
        <input type="text" {...props} />
      )}
      {hint !== undefined && (
        <span id={`${id}-help`} class="help">
          {hint}
        </span>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * A labelled choice: the options in order, after an empty `placeholder` option when one is given
 * (the field then starts unanswered); `hint` is read with the field.
 */
export function SelectField({
  id,
  label,
  value,
  onValue,
  options,
  placeholder,
  hint,
  required = false,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  placeholder?: string;
  hint?: string;
  required?: boolean;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        required={required}
        aria-describedby={hint !== undefined ? `${id}-help` : undefined}
        value={value}
        onChange={(e) => onValue((e.target as HTMLSelectElement).value)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint !== undefined && (
        <span id={`${id}-help`} class="help">
          {hint}
        </span>
      )}
    </div>
  );
}

/** Where a submission goes: the recipient, the case, and (for a new message) its handling. */
export interface RoutingValues {
  recipient: string;
  caseReference: string;
  /** Absent: the form takes no handling conditions (a forwarding keeps those it arrived with). */
  permittedPurpose?: string;
  confidential?: boolean;
}

/**
 * The recipient and routing fieldset of the forms that address an authority (compose, a new
 * request, a forwarding): `recipients` are those the form may send to; `children` add the form's
 * own fields after the routing.
 */
export function RoutingFieldset({
  idPrefix,
  legend,
  recipients,
  routing,
  update,
  children,
}: {
  idPrefix: string;
  legend: string;
  recipients: readonly Authority[];
  routing: RoutingValues;
  update: (change: Partial<RoutingValues>) => void;
  children?: ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div class="field">
        <label for={`${idPrefix}-recipient`}>{t('field.recipient')}</label>
        <select
          id={`${idPrefix}-recipient`}
          required
          value={routing.recipient}
          onChange={(e) => update({ recipient: (e.target as HTMLSelectElement).value })}
        >
          <option value="">{t('compose.chooseRecipient')}</option>
          {recipients.map((a) => (
            <option key={a.id} value={a.id}>
              {a.id} – {a.name}
            </option>
          ))}
        </select>
      </div>
      <TextField
        id={`${idPrefix}-caseReference`}
        name="caseReference"
        label={t('field.caseReference')}
        required
        value={routing.caseReference}
        onValue={(caseReference) => update({ caseReference })}
      />
      {routing.permittedPurpose !== undefined && (
        <TextField
          id={`${idPrefix}-permittedPurpose`}
          name="permittedPurpose"
          label={t('field.permittedPurpose')}
          required
          value={routing.permittedPurpose}
          onValue={(permittedPurpose) => update({ permittedPurpose })}
        />
      )}
      {routing.confidential !== undefined && (
        <div class="check">
          <input
            id={`${idPrefix}-confidential`}
            type="checkbox"
            checked={routing.confidential}
            onChange={(e) => update({ confidential: (e.target as HTMLInputElement).checked })}
          />
          <label for={`${idPrefix}-confidential`}>{t('field.confidential')}</label>
        </div>
      )}
      {children}
    </fieldset>
  );
}
