import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post, query } from '../api.js';
import { ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n, type LabelKey } from '../i18n.js';
import { EnumValue } from '../enum-labels.js';

interface Warning {
  ruleId: string;
  legalBasis: string[];
  text: string;
}

interface Supervised {
  id: string;
  status: string;
  procedure: string;
  messageType: string;
  channel: string;
  caseReference: string | null;
  requestId: string | null;
  recipients: string[];
  submittedBy: string;
  submittedAt: string;
  warnings: Warning[];
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  outcome: Record<string, unknown> | null;
}

interface SupervisedDetail extends Supervised {
  /** Null once erased, a while after the decision (GATEWAY_RETENTION_SUPERVISED_AFTER_MS). */
  draft: { body: Record<string, unknown>; handling?: Record<string, unknown> } | null;
}

const STATUSES = ['awaiting-supervisor', 'acknowledged', 'declined', 'blocked'] as const;

const statusLabel = (status: string) => `supervision.status.${status}` as LabelKey;

/**
 * A supervisor's submissions to decide: those of their authority refused only for warnings
 * (W-rules). The list, then one submission with its warnings (rule id, legal basis, what the rule
 * found) and its draft, a written justification per warning, and Acknowledge and send or Decline.
 */
export function SupervisionPage({ id }: { id?: string }) {
  return id ? <SupervisedView id={id} /> : <SupervisionList />;
}

function SupervisionList() {
  const { t, language } = useI18n();
  const [status, setStatus] = useState<string>('awaiting-supervisor');
  const [items, setItems] = useState<Supervised[]>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setError(undefined);
    get<Supervised[]>(`/api/v1/supervision/submissions${query({ status })}`).then(
      setItems,
      setError,
    );
  }, [status]);

  return (
    <Page title={t('supervision.title')}>
      <p>{t('supervision.intro')}</p>
      <div class="filters">
        <div class="field">
          <label for="supervision-status">{t('supervision.statusFilter')}</label>
          <select
            id="supervision-status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(statusLabel(s))}
              </option>
            ))}
            <option value="">{t('supervision.status.all')}</option>
          </select>
        </div>
      </div>
      <ErrorView error={error} />
      {items === undefined ? (
        error ? null : (
          <p aria-busy="true">{t('app.loading')}</p>
        )
      ) : items.length === 0 ? (
        <p>{t('supervision.none')}</p>
      ) : (
        <table>
          <caption>{t('supervision.listCaption', { count: items.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('supervision.submittedAt')}</th>
              <th scope="col">{t('supervision.submittedBy')}</th>
              <th scope="col">{t('field.procedure')}</th>
              <th scope="col">{t('supervision.recipients')}</th>
              <th scope="col">{t('supervision.rules')}</th>
              <th scope="col">{t('supervision.status')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>
                  <a href={`#/supervision/${item.id}`}>
                    {formatDateTime(item.submittedAt, language)}
                  </a>
                </td>
                <td>{item.submittedBy}</td>
                <td>
                  {t(`procedure.${item.procedure}` as LabelKey)} ·{' '}
                  <EnumValue family="messageType" code={item.messageType} />
                </td>
                <td>{item.recipients.join(', ')}</td>
                <td>
                  {item.warnings.map((w) => (
                    <code key={w.ruleId} class="code">
                      {w.ruleId}
                    </code>
                  ))}
                </td>
                <td>{t(statusLabel(item.status))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function SupervisedView({ id }: { id: string }) {
  const { t, language } = useI18n();
  const [item, setItem] = useState<SupervisedDetail>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [justifications, setJustifications] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');

  const load = useCallback(async () => {
    try {
      setItem(await get<SupervisedDetail>(`/api/v1/supervision/submissions/${id}`));
    } catch (failure) {
      setError(failure);
    }
  }, [id]);
  useEffect(() => void load(), [load]);

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      setNotice(await action());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      await load();
    }
  };

  const acknowledge = (event: Event) => {
    event.preventDefault();
    if (!item) return;
    void act(async () => {
      const sent = await post<{ requestId: string }>(
        `/api/v1/supervision/submissions/${id}/acknowledge`,
        {
          acknowledgements: item.warnings.map((w) => ({
            ruleId: w.ruleId,
            justification: justifications[w.ruleId] ?? '',
          })),
        },
      );
      return t('supervision.acknowledged', { request: sent.requestId });
    });
  };

  const decline = () =>
    void act(async () => {
      await post(`/api/v1/supervision/submissions/${id}/decline`, { reason });
      return t('supervision.declined');
    });

  const waiting = item?.status === 'awaiting-supervisor';

  return (
    <Page title={t('supervision.detailTitle')}>
      <p>
        <a href="#/supervision">{t('supervision.back')}</a>
      </p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <ErrorView error={error} />
      {item && (
        <>
          <dl class="facts">
            <dt>{t('supervision.status')}</dt>
            <dd>{t(statusLabel(item.status))}</dd>
            <dt>{t('supervision.submittedBy')}</dt>
            <dd>{item.submittedBy}</dd>
            <dt>{t('supervision.submittedAt')}</dt>
            <dd>{formatDateTime(item.submittedAt, language)}</dd>
            <dt>{t('field.procedure')}</dt>
            <dd>
              {t(`procedure.${item.procedure}` as LabelKey)} ·{' '}
              <EnumValue family="messageType" code={item.messageType} />
            </dd>
            <dt>{t('supervision.recipients')}</dt>
            <dd>{item.recipients.join(', ')}</dd>
            <dt>{t('field.caseReference')}</dt>
            <dd>{item.caseReference ?? '—'}</dd>
            {item.decidedBy && (
              <>
                <dt>{t('supervision.decidedBy')}</dt>
                <dd>
                  {item.decidedBy} · {formatDateTime(item.decidedAt, language)}
                </dd>
              </>
            )}
            {item.reason && (
              <>
                <dt>{t('supervision.reason')}</dt>
                <dd>{item.reason}</dd>
              </>
            )}
          </dl>
          <form onSubmit={acknowledge}>
            <fieldset>
              <legend>{t('supervision.warnings')}</legend>
              {item.warnings.map((warning) => (
                <div key={warning.ruleId} class="decision">
                  <h2>
                    <code class="code">{warning.ruleId}</code>{' '}
                    <span class="muted">
                      {t('field.legalBasis')}: {warning.legalBasis.join('; ')}
                    </span>
                  </h2>
                  <p class="explanation">{warning.text}</p>
                  {waiting && (
                    <div class="field">
                      <label for={`justification-${warning.ruleId}`}>
                        {t('supervision.justification', { rule: warning.ruleId })}
                      </label>
                      <textarea
                        id={`justification-${warning.ruleId}`}
                        required
                        maxLength={4000}
                        value={justifications[warning.ruleId] ?? ''}
                        onInput={(e) =>
                          setJustifications({
                            ...justifications,
                            [warning.ruleId]: (e.target as HTMLTextAreaElement).value,
                          })
                        }
                      />
                    </div>
                  )}
                </div>
              ))}
            </fieldset>
            {waiting && (
              <div class="actions">
                <button type="submit" class="primary" disabled={busy}>
                  {t('supervision.acknowledge')}
                </button>
              </div>
            )}
          </form>
          {waiting && (
            <section aria-labelledby="decline-title" class="card">
              <h2 id="decline-title">{t('supervision.declineTitle')}</h2>
              <div class="field">
                <label for="decline-reason">{t('supervision.reason')}</label>
                <textarea
                  id="decline-reason"
                  maxLength={4000}
                  value={reason}
                  onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
                />
              </div>
              <button type="button" disabled={busy} onClick={decline}>
                {t('supervision.decline')}
              </button>
            </section>
          )}
          <section aria-labelledby="draft-title" class="card">
            <h2 id="draft-title">{t('supervision.draft')}</h2>
            {item.draft ? (
              <pre class="explanation">{JSON.stringify(item.draft.body, null, 2)}</pre>
            ) : (
              <p>{t('supervision.draftErased')}</p>
            )}
          </section>
        </>
      )}
    </Page>
  );
}
