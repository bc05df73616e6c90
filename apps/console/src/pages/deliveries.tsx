import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post, query } from '../api.js';
import { Confirmation, ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n } from '../i18n.js';
import { EnumValue } from '../enum-labels.js';

interface PeerReason {
  code: string | null;
  status: number | null;
  message: string;
  permanent: boolean;
  at: string;
}

interface Delivery {
  messageId: string;
  messageType: string;
  procedure: string;
  recipient: string;
  status: string;
  state: 'failed' | 'retrying' | 'queued';
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  retryUntil: string | null;
  peerReason: PeerReason | null;
}

interface DeliveryLog {
  items: Delivery[];
  next: string | null;
  queue: { waiting: number; delayed: number; active: number; failed: number } | null;
}

type Outcome = { outcome: 'requeued'; retryUntil: string } | { outcome: 'already-pending' };

const STATES = ['failed', 'retrying', 'queued'] as const;
/** How often a retried message is looked up until it is delivered or fails again. */
const FOLLOW_MS = 1500;

/**
 * The delivery view (administrators; supervisors read it): the authority's outgoing messages not
 * delivered, why, and the queue; "Retry now" puts one back on the queue after a confirmation, and
 * the page follows it until it is delivered (it leaves the undelivered) or fails again.
 */
export function DeliveriesPage({ mayRetry }: { mayRetry: boolean }) {
  const { t, language } = useI18n();
  const [filters, setFilters] = useState({ status: '', counterpart: '' });
  const [log, setLog] = useState<DeliveryLog>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<Delivery>();
  const [notice, setNotice] = useState('');
  /** Retried messages this page follows until they are delivered or fail again. */
  const [following, setFollowing] = useState<string[]>([]);

  const load = useCallback(async () => {
    try {
      setLog(
        await get<DeliveryLog>(
          `/api/v1/deliveries${query({
            status: filters.status || undefined,
            counterpart: filters.counterpart.trim().toUpperCase() || undefined,
          })}`,
        ),
      );
    } catch (failure) {
      setError(failure);
    }
  }, [filters]);
  useEffect(() => void load(), [load]);

  useEffect(() => {
    if (following.length === 0) return;
    const timer = setInterval(() => {
      void (async () => {
        try {
          // Every undelivered message, whatever the filters: one that is no longer among them has
          // been delivered (the status machine leads nowhere else).
          const all = await get<DeliveryLog>('/api/v1/deliveries?limit=500');
          const still = new Map(all.items.map((item) => [item.messageId, item]));
          const done: string[] = [];
          for (const id of following) {
            const item = still.get(id);
            if (!item) {
              done.push(id);
              setNotice(t('deliveries.delivered', { id }));
            } else if (item.state === 'failed') {
              done.push(id);
              setNotice(t('deliveries.failedAgain', { id }));
            }
          }
          if (done.length > 0) {
            setFollowing((current) => current.filter((id) => !done.includes(id)));
            await load();
          }
        } catch (failure) {
          setError(failure);
        }
      })();
    }, FOLLOW_MS);
    return () => clearInterval(timer);
  }, [following, load, t]);

  const retry = async (delivery: Delivery) => {
    setConfirming(undefined);
    // The confirmation closes under the focus: the page's heading takes it, the result follows.
    document.getElementById('page-title')?.focus();
    setError(undefined);
    setNotice('');
    try {
      const result = await post<Outcome>(`/api/v1/deliveries/${delivery.messageId}/retry`);
      setNotice(
        result.outcome === 'requeued'
          ? t('deliveries.requeued', {
              id: delivery.messageId,
              until: formatDateTime(result.retryUntil, language),
            })
          : t('deliveries.alreadyPending', { id: delivery.messageId }),
      );
      setFollowing((current) => [...current, delivery.messageId]);
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const reasonOf = (reason: PeerReason | null) => {
    if (!reason) return '—';
    const code = reason.code ?? (reason.status !== null ? `HTTP ${reason.status}` : null);
    return (
      <>
        {code && <code class="code">{code}</code>} {reason.message}
        {reason.permanent && <span class="muted"> ({t('deliveries.permanent')})</span>}
      </>
    );
  };

  return (
    <Page title={t('deliveries.title')}>
      <p class="help">{t('deliveries.help')}</p>
      <form
        class="filters"
        aria-label={t('deliveries.filters')}
        onSubmit={(e) => e.preventDefault()}
      >
        <div>
          <label for="delivery-status">{t('deliveries.status')}</label>
          <select
            id="delivery-status"
            value={filters.status}
            onChange={(e) =>
              setFilters({ ...filters, status: (e.target as HTMLSelectElement).value })
            }
          >
            <option value="">{t('deliveries.allStates')}</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {t(`deliveries.state.${state}`)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="delivery-counterpart">{t('deliveries.counterpart')}</label>
          <input
            id="delivery-counterpart"
            type="text"
            value={filters.counterpart}
            onChange={(e) =>
              setFilters({ ...filters, counterpart: (e.target as HTMLInputElement).value })
            }
          />
        </div>
        <div>
          <button type="button" onClick={() => void load()}>
            {t('deliveries.refresh')}
          </button>
        </div>
      </form>
      <p role="status" class={notice ? 'notice' : 'sr-only'}>
        {notice}
      </p>
      <ErrorView error={error} />
      {log && (
        <section aria-labelledby="queue-title" class="card">
          <h2 id="queue-title">{t('deliveries.queue')}</h2>
          {log.queue ? (
            <dl class="facts">
              {(['waiting', 'delayed', 'active', 'failed'] as const).map((key) => (
                <div key={key}>
                  <dt>{t(`deliveries.queue.${key}`)}</dt>
                  <dd>{log.queue![key]}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p>{t('deliveries.queueUnavailable')}</p>
          )}
        </section>
      )}
      {confirming && (
        <Confirmation
          title={t('deliveries.confirmTitle')}
          text={t('deliveries.confirmText', {
            id: confirming.messageId,
            recipient: confirming.recipient,
          })}
          confirm={t('deliveries.confirm')}
          cancel={t('deliveries.cancel')}
          returnTo={`retry-${confirming.messageId}`}
          onConfirm={() => void retry(confirming)}
          onCancel={() => setConfirming(undefined)}
        />
      )}
      {log && log.items.length === 0 && <p>{t('deliveries.empty')}</p>}
      {log && log.items.length > 0 && (
        <table>
          <caption>{t('deliveries.caption', { count: log.items.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('deliveries.message')}</th>
              <th scope="col">{t('field.procedure')}</th>
              <th scope="col">{t('deliveries.recipient')}</th>
              <th scope="col">{t('deliveries.status')}</th>
              <th scope="col">{t('deliveries.attempts')}</th>
              <th scope="col">{t('deliveries.lastAttempt')}</th>
              <th scope="col">{t('deliveries.nextAttempt')}</th>
              <th scope="col">{t('deliveries.reason')}</th>
              {mayRetry && <th scope="col">{t('deliveries.action')}</th>}
            </tr>
          </thead>
          <tbody>
            {log.items.map((item) => (
              <tr key={item.messageId}>
                <td>
                  <code>{item.messageId}</code>
                  <br />
                  <span class="muted">
                    <EnumValue family="messageType" code={item.messageType} />
                  </span>
                </td>
                <td>{t(`procedure.${item.procedure}` as 'procedure.mla')}</td>
                <td>{item.recipient}</td>
                <td>
                  {t(`deliveries.state.${item.state}`)}{' '}
                  <span class="muted">
                    (<EnumValue family="messageStatus" code={item.status} />)
                  </span>
                </td>
                <td>{item.attempts}</td>
                <td>{formatDateTime(item.lastAttemptAt, language)}</td>
                <td>{formatDateTime(item.nextAttemptAt, language)}</td>
                <td>{reasonOf(item.peerReason)}</td>
                {mayRetry && (
                  <td>
                    {item.state !== 'queued' && (
                      <button
                        id={`retry-${item.messageId}`}
                        type="button"
                        aria-label={t('deliveries.retryLabel', {
                          id: item.messageId,
                          recipient: item.recipient,
                        })}
                        onClick={() => setConfirming(item)}
                      >
                        {t('deliveries.retry')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
