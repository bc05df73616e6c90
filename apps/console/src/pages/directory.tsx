import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { ErrorView, formatDateTime, Page, useNow } from '../components.js';
import { useI18n } from '../i18n.js';
import { keyExpiry, shortFingerprint, type DirectoryKeyDates } from '../key-expiry.js';

interface DirectoryKey extends DirectoryKeyDates {
  fingerprint: string;
  revocationReason: string | null;
  heldHere: boolean;
}

interface Authority {
  id: string;
  state: string;
  name: string;
  kind: string;
  endpoint: string;
  procedures: string[];
  currentKey: string | null;
  keys: DirectoryKey[];
}

interface Directory {
  digest: string;
  issuedAt: string | null;
  authorities: Authority[];
}

/**
 * The authority directory this node trusts (whoever reads it): each authority with its keys'
 * validity and expiry state, this node's own keys first, and the directory's digest and issue
 * date to compare with the published one.
 */
export function DirectoryPage() {
  const { t } = useI18n();
  const [directory, setDirectory] = useState<Directory>();
  const [error, setError] = useState<unknown>();
  const [filters, setFilters] = useState({ state: '', text: '' });
  const now = new Date(useNow());
  useEffect(() => {
    get<Directory>('/api/v1/directory').then(setDirectory, setError);
  }, []);

  const states = [...new Set(directory?.authorities.map((a) => a.state))].sort();
  const text = filters.text.trim().toLowerCase();
  const shown = (directory?.authorities ?? []).filter(
    (a) =>
      (!filters.state || a.state === filters.state) &&
      (!text ||
        [a.id, a.name, a.endpoint, a.kind].some((value) => value.toLowerCase().includes(text))),
  );
  // A hub's authorities share its keys: each key once.
  const own = [
    ...new Map(
      (directory?.authorities ?? [])
        .flatMap((a) => a.keys)
        .filter((key) => key.heldHere)
        .map((key) => [key.fingerprint, key]),
    ).values(),
  ];

  return (
    <Page title={t('directory.title')}>
      <p class="help">{t('directory.help')}</p>
      <ErrorView error={error} />
      {directory && (
        <>
          <dl class="facts">
            <div>
              <dt>{t('directory.digest')}</dt>
              <dd>
                <code>{directory.digest}</code>
              </dd>
            </div>
            <div>
              <dt>{t('directory.issuedAt')}</dt>
              <dd>
                <DateTime iso={directory.issuedAt} />
              </dd>
            </div>
          </dl>
          <section aria-labelledby="own-keys-title" class="card">
            <h2 id="own-keys-title">{t('directory.ownKeys')}</h2>
            {own.length === 0 ? (
              <p>{t('directory.noOwnKeys')}</p>
            ) : (
              <KeyTable keys={own} now={now} caption={t('directory.ownKeysCaption')} />
            )}
          </section>
          <form
            class="filters"
            aria-label={t('directory.filters')}
            onSubmit={(e) => e.preventDefault()}
          >
            <div>
              <label for="directory-state">{t('directory.state')}</label>
              <select
                id="directory-state"
                value={filters.state}
                onChange={(e) =>
                  setFilters({ ...filters, state: (e.target as HTMLSelectElement).value })
                }
              >
                <option value="">{t('directory.allStates')}</option>
                {states.map((state) => (
                  <option key={state} value={state}>
                    {state}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="directory-text">{t('directory.search')}</label>
              <input
                id="directory-text"
                type="search"
                value={filters.text}
                onInput={(e) =>
                  setFilters({ ...filters, text: (e.target as HTMLInputElement).value })
                }
              />
            </div>
          </form>
          <p role="status">
            {t('directory.shown', { count: shown.length, total: directory.authorities.length })}
          </p>
          {shown.map((authority) => (
            <section key={authority.id} aria-labelledby={`authority-${authority.id}`} class="card">
              <h2 id={`authority-${authority.id}`}>
                {authority.name} <span class="muted">({authority.id})</span>
              </h2>
              <dl class="facts">
                <div>
                  <dt>{t('directory.state')}</dt>
                  <dd>{authority.state}</dd>
                </div>
                <div>
                  <dt>{t('directory.kind')}</dt>
                  <dd>{authority.kind}</dd>
                </div>
                <div>
                  <dt>{t('directory.endpoint')}</dt>
                  <dd>
                    <code>{authority.endpoint}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t('directory.procedures')}</dt>
                  <dd>
                    {authority.procedures
                      .map((p) => t(`procedure.${p}` as 'procedure.mla'))
                      .join(', ')}
                  </dd>
                </div>
              </dl>
              <KeyTable
                keys={authority.keys}
                now={now}
                caption={t('directory.keysOf', { id: authority.id })}
              />
            </section>
          ))}
        </>
      )}
    </Page>
  );
}

function DateTime({ iso }: { iso: string | null }) {
  const { language } = useI18n();
  return iso ? <time dateTime={iso}>{formatDateTime(iso, language)}</time> : <>—</>;
}

function KeyTable({ keys, now, caption }: { keys: DirectoryKey[]; now: Date; caption: string }) {
  const { t, language } = useI18n();
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('directory.fingerprint')}</th>
          <th scope="col">{t('directory.validFrom')}</th>
          <th scope="col">{t('directory.validUntil')}</th>
          <th scope="col">{t('directory.expiresAt')}</th>
          <th scope="col">{t('directory.keyState')}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const expiry = keyExpiry(key, now);
          return (
            <tr key={key.fingerprint}>
              <td>
                {/* Short in the table; the full fingerprint one keystroke away, read in full. */}
                <details>
                  <summary>
                    <code>{shortFingerprint(key.fingerprint)}</code>
                    <span class="sr-only"> {t('directory.showFull')}</span>
                  </summary>
                  <code class="fingerprint">{key.fingerprint}</code>
                </details>
              </td>
              <td>
                <DateTime iso={key.validFrom} />
              </td>
              <td>
                <DateTime iso={key.validUntil} />
              </td>
              <td>
                <DateTime iso={key.expiresAt} />
              </td>
              <td class={`key-state key-${expiry.state}`}>
                {t(`directory.keyState.${expiry.state}`)}
                {expiry.state === 'expiring' &&
                  ` · ${t('directory.daysLeft', { days: expiry.daysLeft ?? 0 })}`}
                {expiry.state === 'revoked' && (
                  <span class="muted">
                    {' '}
                    ({formatDateTime(key.revokedAt, language)}
                    {key.revocationReason ? `: ${key.revocationReason}` : ''})
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
