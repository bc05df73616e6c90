import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
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
  // Focus moves to a page when it opens, not when its language changes.
  useEffect(() => document.getElementById('page-title')?.focus(), []);
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
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
