import { useState } from 'preact/hooks';
import { get, post, type Me } from '../api.js';
import { ErrorView, Page } from '../components.js';
import { useI18n } from '../i18n.js';

/** Sign-in: an API key or a bearer token of this node, exchanged for a session cookie. */
export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const { t } = useI18n();
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post('/api/v1/session', { credential });
      setCredential('');
      onSignedIn(await get<Me>('/api/v1/me'));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('signIn.title')}>
      <form class="card narrow" onSubmit={(e) => void submit(e)}>
        <p>{t('signIn.intro')}</p>
        <label for="credential">{t('signIn.credential')}</label>
        <input
          id="credential"
          name="credential"
          type="password"
          autoComplete="off"
          required
          minLength={16}
          value={credential}
          aria-describedby="credential-help"
          onInput={(e) => setCredential((e.target as HTMLInputElement).value)}
        />
        <p id="credential-help" class="help">
          {t('signIn.help')}
        </p>
        <ErrorView error={error} />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </Page>
  );
}
