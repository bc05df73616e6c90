import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, call, get, whenSignedOut, type Me } from './api.js';
import { ErrorView } from './components.js';
import {
  I18n,
  initialLanguage,
  LANGUAGES,
  rememberLanguage,
  translator,
  type LabelKey,
} from './i18n.js';
import { ApiKeysPage } from './pages/api-keys.js';
import { AuditPage } from './pages/audit.js';
import { ComposePage } from './pages/compose.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { DirectoryPage } from './pages/directory.js';
import { MailboxPage } from './pages/mailbox.js';
import { NewRequestPage } from './pages/new-request.js';
import { RegisterPage } from './pages/register.js';
import { RequestPage } from './pages/request.js';
import { SignInPage } from './pages/sign-in.js';
import { StatisticsPage } from './pages/statistics.js';
import { SupervisionPage } from './pages/supervision.js';
import { UsersPage } from './pages/users.js';

/**
 * The pages, each behind the permission it needs (GET /api/v1/me): what a role may not do is not
 * shown, and the API refuses it anyway.
 */
const PAGES: Array<{
  path: string;
  label: LabelKey;
  permission: string;
  also?: string;
  /** A page of one procedure: shown to those who work on it. */
  procedure?: string;
}> = [
  { path: 'mailbox', label: 'nav.mailbox', permission: 'requests.list' },
  {
    path: 'compose',
    label: 'nav.compose',
    permission: 'messages.submit',
    also: 'policy.explain',
    procedure: 'mla',
  },
  /** Any procedure's opening message, its form generated from the schema the API validates. */
  {
    path: 'new',
    label: 'nav.newRequest',
    permission: 'procedures.read',
    also: 'policy.explain',
  },
  { path: 'supervision', label: 'nav.supervision', permission: 'warnings.review' },
  { path: 'register', label: 'nav.register', permission: 'register.read' },
  { path: 'audit', label: 'nav.audit', permission: 'audit.read' },
  { path: 'statistics', label: 'nav.statistics', permission: 'statistics.read' },
  { path: 'users', label: 'nav.users', permission: 'users.manage' },
  { path: 'api-keys', label: 'nav.apiKeys', permission: 'users.manage' },
  { path: 'deliveries', label: 'nav.deliveries', permission: 'deliveries.read' },
  { path: 'directory', label: 'nav.directory', permission: 'directory.read' },
];

function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  const [language, setLanguage] = useState(initialLanguage);
  const t = useMemo(() => translator(language), [language]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  const route = useRoute();

  // Before paint: the page's text and its `lang` change together (screen readers read both).
  useLayoutEffect(() => rememberLanguage(language), [language]);
  useEffect(() => {
    whenSignedOut(() => setMe(null));
    get<Me>('/api/v1/me').then(setMe, (failure: unknown) => {
      if (failure instanceof ApiError && failure.status === 401) setMe(null);
      else setError(failure);
    });
  }, []);

  const allowed = (permission: string) => me?.permissions.includes(permission) ?? false;
  const pages = PAGES.filter(
    (p) =>
      allowed(p.permission) &&
      (!p.also || allowed(p.also)) &&
      (!p.procedure || (me?.scope.procedures.includes(p.procedure) ?? false)),
  );

  const signOut = async () => {
    try {
      await call('DELETE', '/api/v1/session');
    } catch (failure) {
      setError(failure);
      return;
    }
    setMe(null);
    location.hash = '';
  };

  let content;
  if (me === undefined) {
    content = error ? <ErrorView error={error} /> : <p aria-busy="true">{t('app.loading')}</p>;
  } else if (me === null) {
    content = <SignInPage onSignedIn={(signedIn) => setMe(signedIn)} />;
  } else {
    const [page, id] = route;
    const current =
      pages.find((p) => p.path === page) ?? (page === 'requests' ? undefined : pages[0]);
    if (page === 'requests' && id && allowed('requests.read'))
      content = <RequestPage id={id} me={me} />;
    else if (!current) content = <p>{t('app.nothing')}</p>;
    else if (current.path === 'mailbox') content = <MailboxPage me={me} />;
    else if (current.path === 'compose') content = <ComposePage me={me} />;
    else if (current.path === 'new') content = <NewRequestPage me={me} />;
    else if (current.path === 'supervision') content = <SupervisionPage id={id} />;
    else if (current.path === 'register') content = <RegisterPage />;
    else if (current.path === 'audit') content = <AuditPage />;
    else if (current.path === 'statistics') content = <StatisticsPage />;
    else if (current.path === 'deliveries')
      content = <DeliveriesPage mayRetry={allowed('deliveries.retry')} />;
    else if (current.path === 'api-keys') content = <ApiKeysPage />;
    else if (current.path === 'directory') content = <DirectoryPage />;
    else content = <UsersPage />;
  }

  return (
    <I18n.Provider value={{ t, language }}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        {t('app.skip')}
      </a>
      <header class="top">
        <p class="brand">{t('app.title')}</p>
        {me && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {pages.map((p) => (
                <li key={p.path}>
                  <a
                    href={`#/${p.path}`}
                    aria-current={(route[0] ?? pages[0]?.path) === p.path ? 'page' : undefined}
                  >
                    {t(p.label)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="tools">
          <label for="language">{t('app.language')}</label>
          <select
            id="language"
            value={language}
            onChange={(e) => setLanguage((e.target as HTMLSelectElement).value)}
          >
            {Object.entries(LANGUAGES).map(([code, { name }]) => (
              <option key={code} value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
          {me && (
            <>
              <span class="who">
                {t('app.signedInAs', { user: me.username, authority: me.authorityId })}
              </span>
              <button type="button" onClick={() => void signOut()}>
                {t('app.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {me && error !== undefined && <ErrorView error={error} />}
        {content}
      </main>
    </I18n.Provider>
  );
}

render(<App />, document.getElementById('app')!);
