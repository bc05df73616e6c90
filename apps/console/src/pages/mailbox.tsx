import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, query, type Me, type RequestView } from '../api.js';
import { DeadlineClock, ErrorView, formatDateTime, nextDeadline, Page } from '../components.js';
import { useI18n } from '../i18n.js';
import { EnumValue } from '../enum-labels.js';

export const PROCEDURES = ['mla', 'jit', 'nationality-verification', 'assets'] as const;

/** What the mailbox stream names its events (MailboxEventPattern). */
const EVENTS = [
  'message.received',
  'message.delivered',
  'message.retry-scheduled',
  'message.delivery-failed',
  'deadline.reminder',
  'deadline.expired',
] as const;

interface Filters {
  procedure: string;
  state: string;
  dueSoon: boolean;
  overdue: boolean;
}

/** The requests one may see, filtered, kept up to date by the mailbox's event stream. */
export function MailboxPage({ me }: { me: Me }) {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState<Filters>({
    procedure: '',
    state: '',
    dueSoon: false,
    overdue: false,
  });
  const [requests, setRequests] = useState<RequestView[]>();
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState<'connecting' | 'open' | 'closed'>('connecting');
  const [announcement, setAnnouncement] = useState('');

  const load = useCallback(async () => {
    try {
      const found = await get<RequestView[]>(
        `/api/v1/requests${query({
          procedure: filters.procedure || undefined,
          state: filters.state.trim() || undefined,
          dueWithinHours: filters.dueSoon ? 7 * 24 : undefined,
          overdue: filters.overdue,
        })}`,
      );
      setRequests(found);
      setError(undefined);
    } catch (failure) {
      setError(failure);
    }
  }, [filters]);

  useEffect(() => void load(), [load]);
  // The stream stays open while filters and language change: it reads the latest of both.
  const latest = useRef({ load, t });
  latest.current = { load, t };

  // Live updates: each event re-reads the list and is announced politely.
  useEffect(() => {
    if (!me.permissions.includes('mailbox.stream')) return;
    const source = new EventSource('/api/v1/mailbox/events');
    source.onopen = () => setLive('open');
    source.onerror = () =>
      setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    const listener = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { counterpart?: string; messageType?: string };
        setAnnouncement(
          latest.current.t(`event.${event.type}` as 'event.message.received', {
            counterpart: data.counterpart ?? '',
            type: data.messageType ?? '',
          }),
        );
      } catch {
        // an event without a readable body still refreshes the list
      }
      void latest.current.load();
    };
    EVENTS.forEach((name) => source.addEventListener(name, listener));
    return () => source.close();
  }, [me]);

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) =>
    setFilters((current) => ({ ...current, [key]: value }));

  return (
    <Page title={t('mailbox.title')}>
      <p class="live-status">{t(`mailbox.live.${live}` as 'mailbox.live.open')}</p>
      <div class="sr-only" aria-live="polite" role="status">
        {announcement}
      </div>
      {announcement && (
        <p class="notice" aria-hidden="true">
          {announcement}
        </p>
      )}
      <form class="filters" aria-label={t('mailbox.filters')} onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="filter-procedure">{t('field.procedure')}</label>
          <select
            id="filter-procedure"
            value={filters.procedure}
            onChange={(e) => set('procedure', (e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('mailbox.allProcedures')}</option>
            {PROCEDURES.map((p) => (
              <option key={p} value={p}>
                {t(`procedure.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="filter-state">{t('field.state')}</label>
          <input
            id="filter-state"
            type="text"
            value={filters.state}
            onChange={(e) => set('state', (e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="check">
          <input
            id="filter-due"
            type="checkbox"
            checked={filters.dueSoon}
            onChange={(e) => set('dueSoon', (e.target as HTMLInputElement).checked)}
          />
          <label for="filter-due">{t('mailbox.dueSoon')}</label>
        </div>
        <div class="check">
          <input
            id="filter-overdue"
            type="checkbox"
            checked={filters.overdue}
            onChange={(e) => set('overdue', (e.target as HTMLInputElement).checked)}
          />
          <label for="filter-overdue">{t('mailbox.overdue')}</label>
        </div>
      </form>
      <ErrorView error={error} />
      {requests && requests.length === 0 && <p>{t('mailbox.empty')}</p>}
      {requests && requests.length > 0 && (
        <table>
          <caption>{t('mailbox.caption', { count: requests.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('field.caseReference')}</th>
              <th scope="col">{t('field.procedure')}</th>
              <th scope="col">{t('field.role')}</th>
              <th scope="col">{t('field.counterparts')}</th>
              <th scope="col">{t('field.state')}</th>
              <th scope="col">{t('field.nextDeadline')}</th>
              <th scope="col">{t('field.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((request) => {
              const deadline = nextDeadline(request.deadlines);
              return (
                <tr key={request.id}>
                  <td>
                    <a href={`#/requests/${request.id}`}>{request.caseReference}</a>
                  </td>
                  <td>{t(`procedure.${request.procedure}` as 'procedure.mla')}</td>
                  <td>
                    <EnumValue family="senderRole" code={request.role} />
                  </td>
                  <td>{request.counterparts.join(', ')}</td>
                  <td>
                    <EnumValue family="state" code={request.status} />
                  </td>
                  <td>
                    {deadline ? (
                      <DeadlineClock dueAt={deadline.dueAt} status={deadline.status} />
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{formatDateTime(request.updatedAt, language)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Page>
  );
}
