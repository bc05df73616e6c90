import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Confirmation, ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n } from '../i18n.js';

interface ApiKey {
  id: string;
  username: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface Account {
  username: string;
  kind: 'person' | 'service';
}

interface Issued {
  id: string;
  username: string;
  apiKey: string;
}

type Revocation = ApiKey & { outcome: 'revoked' | 'already-revoked' };

/**
 * The API keys of the authority's service accounts (administrators): issuing one (shown once,
 * with a copy button), and revoking one after a confirmation. Only the hash is kept, so a lost key
 * is revoked and a new one issued.
 */
export function ApiKeysPage() {
  const { t, language } = useI18n();
  const [keys, setKeys] = useState<ApiKey[]>();
  const [services, setServices] = useState<string[]>([]);
  const [form, setForm] = useState({ username: '', label: '' });
  const [issued, setIssued] = useState<Issued>();
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<ApiKey>();
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setKeys(await get<ApiKey[]>('/api/v1/api-keys'));
    } catch (failure) {
      setError(failure);
    }
  }, []);
  useEffect(() => {
    void load();
    get<Account[]>('/api/v1/users').then((accounts) => {
      const names = accounts.filter((a) => a.kind === 'service').map((a) => a.username);
      setServices(names);
      setForm((current) => ({ ...current, username: current.username || (names[0] ?? '') }));
    }, setError);
  }, [load]);

  // The new key opens with focus on it, to copy it at once (a layout effect: as it appears).
  useLayoutEffect(() => {
    if (issued) document.getElementById('issued-key')?.focus();
  }, [issued]);

  const issue = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setNotice('');
    setCopied(false);
    try {
      const key = await post<Issued>(
        `/api/v1/users/${encodeURIComponent(form.username)}/api-keys`,
        { label: form.label.trim() },
      );
      setIssued(key);
      setForm({ ...form, label: '' });
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.apiKey);
      setCopied(true);
    } catch (failure) {
      setError(failure);
    }
  };

  const dismiss = () => {
    setIssued(undefined);
    setCopied(false);
    document.getElementById('page-title')?.focus();
  };

  const revoke = async (key: ApiKey) => {
    setConfirming(undefined);
    document.getElementById('page-title')?.focus();
    setError(undefined);
    setNotice('');
    try {
      const result = await post<Revocation>(`/api/v1/api-keys/${key.id}/revoke`);
      setNotice(
        t(result.outcome === 'revoked' ? 'apiKeys.revoked' : 'apiKeys.alreadyRevoked', {
          label: key.label,
          user: key.username,
        }),
      );
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Page title={t('apiKeys.title')}>
      <p class="help">{t('apiKeys.help')}</p>
      <form class="filters" aria-label={t('apiKeys.issueTitle')} onSubmit={(e) => void issue(e)}>
        <div>
          <label for="key-account">{t('apiKeys.account')}</label>
          <select
            id="key-account"
            value={form.username}
            required
            onChange={(e) => setForm({ ...form, username: (e.target as HTMLSelectElement).value })}
          >
            {services.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="key-label">{t('apiKeys.label')}</label>
          <input
            id="key-label"
            type="text"
            required
            maxLength={100}
            value={form.label}
            onInput={(e) => setForm({ ...form, label: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div>
          <button type="submit" class="primary" disabled={services.length === 0}>
            {t('apiKeys.issue')}
          </button>
        </div>
      </form>
      {services.length === 0 && <p class="muted">{t('apiKeys.noServiceAccount')}</p>}
      {issued && (
        <section aria-labelledby="issued-title" class="card">
          <h2 id="issued-title">{t('apiKeys.issuedTitle', { user: issued.username })}</h2>
          <p class="notice">
            <strong>{t('apiKeys.onceWarning')}</strong>
          </p>
          <div class="field">
            <label for="issued-key">{t('apiKeys.newKey')}</label>
            <input
              id="issued-key"
              type="text"
              readOnly
              value={issued.apiKey}
              size={60}
              onFocus={(e) => (e.target as HTMLInputElement).select()}
            />
          </div>
          <div class="actions">
            <button type="button" class="primary" onClick={() => void copy()}>
              {t('apiKeys.copy')}
            </button>
            <button type="button" onClick={dismiss}>
              {t('apiKeys.done')}
            </button>
          </div>
          <p role="status">{copied ? t('apiKeys.copied') : ''}</p>
        </section>
      )}
      <p role="status" class={notice ? 'notice' : 'sr-only'}>
        {notice}
      </p>
      <ErrorView error={error} />
      {confirming && (
        <Confirmation
          title={t('apiKeys.confirmTitle')}
          text={t('apiKeys.confirmText', { label: confirming.label, user: confirming.username })}
          confirm={t('apiKeys.confirm')}
          cancel={t('apiKeys.cancel')}
          returnTo={`revoke-${confirming.id}`}
          onConfirm={() => void revoke(confirming)}
          onCancel={() => setConfirming(undefined)}
        />
      )}
      {keys && keys.length === 0 && <p>{t('apiKeys.empty')}</p>}
      {keys && keys.length > 0 && (
        <table>
          <caption>{t('apiKeys.caption', { count: keys.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('apiKeys.label')}</th>
              <th scope="col">{t('apiKeys.account')}</th>
              <th scope="col">{t('apiKeys.created')}</th>
              <th scope="col">{t('apiKeys.lastUsed')}</th>
              <th scope="col">{t('apiKeys.state')}</th>
              <th scope="col">{t('apiKeys.action')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.label}</td>
                <td>{key.username}</td>
                <td>{formatDateTime(key.createdAt, language)}</td>
                <td>{formatDateTime(key.lastUsedAt, language)}</td>
                <td>
                  {key.revokedAt
                    ? t('apiKeys.revokedOn', { at: formatDateTime(key.revokedAt, language) })
                    : t('apiKeys.active')}
                </td>
                <td>
                  {!key.revokedAt && (
                    <button
                      id={`revoke-${key.id}`}
                      type="button"
                      aria-label={t('apiKeys.revokeLabel', {
                        label: key.label,
                        user: key.username,
                      })}
                      onClick={() => setConfirming(key)}
                    >
                      {t('apiKeys.revoke')}
                    </button>
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
