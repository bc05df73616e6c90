import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { ErrorView, formatDateTime, Page } from '../components.js';
import { EvidenceDownload, EvidenceOutcome, useEvidenceDownload } from '../evidence.js';
import { useI18n } from '../i18n.js';

interface AuditEntry {
  seq: string;
  occurredAt: string;
  event: string;
  actor: string;
  messageId: string | null;
  details: Record<string, unknown>;
  hash: string;
}

interface Verification {
  ok: boolean;
  entries: number;
  headSeq: string;
  headHash: string;
  firstBreak?: Record<string, unknown>;
}

/**
 * The audit trail: search in chain order, verification of the hash chain, and the evidence bundle
 * of a message (one named by an entry, or typed).
 */
export function AuditPage() {
  const { t, language } = useI18n();
  const [event, setEvent] = useState('');
  const [after, setAfter] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [verification, setVerification] = useState<Verification>();
  const [error, setError] = useState<unknown>();
  const [messageId, setMessageId] = useState('');
  const evidence = useEvidenceDownload();

  const search = async (submitted: Event) => {
    submitted.preventDefault();
    setError(undefined);
    try {
      setEntries(
        await get<AuditEntry[]>(
          `/api/v1/audit${query({ event: event.trim() || undefined, after: after.trim() || undefined, limit: 200 })}`,
        ),
      );
    } catch (failure) {
      setError(failure);
    }
  };

  const verify = async () => {
    setError(undefined);
    try {
      setVerification(await get<Verification>('/api/v1/audit/verification'));
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page title={t('audit.title')}>
      <section aria-labelledby="verify-title" class="card">
        <h2 id="verify-title">{t('audit.verifyTitle')}</h2>
        <button type="button" onClick={() => void verify()}>
          {t('audit.verify')}
        </button>
        {verification && (
          <p role="status" class={verification.ok ? 'notice' : 'error'}>
            {verification.ok
              ? t('audit.intact', { count: verification.entries, seq: verification.headSeq })
              : t('audit.broken', { at: JSON.stringify(verification.firstBreak ?? {}) })}
          </p>
        )}
      </section>
      <section aria-labelledby="evidence-title" class="card">
        <h2 id="evidence-title">{t('evidence.title')}</h2>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            void evidence.download(messageId.trim());
          }}
        >
          <div>
            <label for="evidence-message">{t('evidence.messageId')}</label>
            <input
              id="evidence-message"
              type="text"
              required
              spellcheck={false}
              value={messageId}
              onInput={(e) => setMessageId((e.target as HTMLInputElement).value)}
            />
          </div>
          <button type="submit" disabled={evidence.busy}>
            {t('evidence.download')}
          </button>
        </form>
        <EvidenceOutcome error={evidence.error} erased={evidence.erased} />
      </section>
      <form class="filters" onSubmit={(e) => void search(e)} aria-label={t('audit.search')}>
        <div>
          <label for="audit-event">{t('audit.event')}</label>
          <input
            id="audit-event"
            type="text"
            value={event}
            onInput={(e) => setEvent((e.target as HTMLInputElement).value)}
          />
        </div>
        <div>
          <label for="audit-after">{t('audit.after')}</label>
          <input
            id="audit-after"
            type="text"
            inputMode="numeric"
            value={after}
            onInput={(e) => setAfter((e.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">{t('audit.searchSubmit')}</button>
      </form>
      <ErrorView error={error} />
      {entries && (
        <table>
          <caption>{t('audit.caption', { count: entries.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.seq')}</th>
              <th scope="col">{t('audit.time')}</th>
              <th scope="col">{t('audit.event')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.details')}</th>
              <th scope="col">{t('audit.message')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td>{formatDateTime(entry.occurredAt, language)}</td>
                <td>
                  <code>{entry.event}</code>
                </td>
                <td>{entry.actor}</td>
                <td class="details">{JSON.stringify(entry.details)}</td>
                <td>
                  {entry.messageId && (
                    <>
                      <code>{entry.messageId}</code>
                      <EvidenceDownload messageId={entry.messageId} />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
