import { useCallback, useEffect, useState } from 'preact/hooks';
import { call, get, post } from '../api.js';
import { ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n } from '../i18n.js';

interface Review {
  id: string;
  entryId: string;
  requester: string;
  caseReference: string | null;
  recipientStates: string[];
  status: string;
  openedAt: string;
}

/**
 * The protected-persons register (asylum authority only): its size, adding and removing entries
 * (never listed: the register is not browsable), and the hits awaiting review.
 */
export function RegisterPage() {
  const { t, language } = useI18n();
  const [size, setSize] = useState<number>();
  const [reviews, setReviews] = useState<Review[]>([]);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [entry, setEntry] = useState({
    familyName: '',
    givenName: '',
    dateOfBirth: '',
    shieldFrom: '',
    claimPending: false,
  });
  const [removeId, setRemoveId] = useState('');
  const [reasons, setReasons] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      setSize((await get<{ entries: number }>('/api/v1/register')).entries);
      setReviews(await get<Review[]>('/api/v1/register/reviews?status=pending'));
    } catch (failure) {
      setError(failure);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const act = async (action: () => Promise<string>) => {
    setError(undefined);
    setNotice('');
    try {
      setNotice(await action());
      await load();
    } catch (failure) {
      setError(failure);
    }
  };

  const add = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      const { entryId } = await post<{ entryId: string }>('/api/v1/register/entries', {
        names: [
          {
            familyNames: entry.familyName.trim() ? [entry.familyName.trim()] : [],
            givenNames: entry.givenName.trim() ? [entry.givenName.trim()] : [],
          },
        ],
        ...(entry.dateOfBirth && { datesOfBirth: [entry.dateOfBirth] }),
        shieldFrom: entry.shieldFrom
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((s) => s.toUpperCase()),
        claimPending: entry.claimPending,
      });
      setEntry({
        familyName: '',
        givenName: '',
        dateOfBirth: '',
        shieldFrom: '',
        claimPending: false,
      });
      return t('register.added', { id: entryId });
    });
  };

  const remove = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      await call('DELETE', `/api/v1/register/entries/${encodeURIComponent(removeId.trim())}`);
      setRemoveId('');
      return t('register.removed');
    });
  };

  const decide = (review: Review, decision: 'confirm' | 'clear') =>
    void act(async () => {
      await post(`/api/v1/register/reviews/${review.id}/${decision}`, {
        reason: reasons[review.id] ?? '',
      });
      return t(`register.${decision}ed` as 'register.confirmed');
    });

  const input = (
    key: 'familyName' | 'givenName' | 'dateOfBirth' | 'shieldFrom',
    required = false,
  ) => (
    <div class="field">
      <label for={`entry-${key}`}>{t(`register.${key}`)}</label>
      {key === 'dateOfBirth' ? (
        <input
          id={`entry-${key}`}
          type="date"
          value={entry[key]}
          onInput={(e) => setEntry({ ...entry, [key]: (e.target as HTMLInputElement).value })}
        />
      ) : (
        <input
          id={`entry-${key}`}
          type="text"
          required={required}
          value={entry[key]}
          onInput={(e) => setEntry({ ...entry, [key]: (e.target as HTMLInputElement).value })}
        />
      )}
    </div>
  );

  return (
    <Page title={t('register.title')}>
      <p>{size === undefined ? t('app.loading') : t('register.size', { count: size })}</p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <ErrorView error={error} />
      <section aria-labelledby="add-title" class="card">
        <h2 id="add-title">{t('register.add')}</h2>
        <form onSubmit={add}>
          {input('familyName', true)}
          {input('givenName')}
          {input('dateOfBirth')}
          {input('shieldFrom', true)}
          <div class="check">
            <input
              id="entry-claimPending"
              type="checkbox"
              checked={entry.claimPending}
              onChange={(e) =>
                setEntry({ ...entry, claimPending: (e.target as HTMLInputElement).checked })
              }
            />
            <label for="entry-claimPending">{t('register.claimPending')}</label>
          </div>
          <button type="submit">{t('register.addSubmit')}</button>
        </form>
      </section>
      <section aria-labelledby="remove-title" class="card">
        <h2 id="remove-title">{t('register.remove')}</h2>
        <form onSubmit={remove}>
          <div class="field">
            <label for="entry-remove">{t('register.entryId')}</label>
            <input
              id="entry-remove"
              type="text"
              required
              value={removeId}
              onInput={(e) => setRemoveId((e.target as HTMLInputElement).value)}
            />
          </div>
          <button type="submit">{t('register.removeSubmit')}</button>
        </form>
      </section>
      <h2>{t('register.reviews')}</h2>
      {reviews.length === 0 ? (
        <p>{t('register.noReviews')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('field.opened')}</th>
              <th scope="col">{t('register.requester')}</th>
              <th scope="col">{t('field.caseReference')}</th>
              <th scope="col">{t('register.recipientStates')}</th>
              <th scope="col">{t('register.decision')}</th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((review) => (
              <tr key={review.id}>
                <td>{formatDateTime(review.openedAt, language)}</td>
                <td>{review.requester}</td>
                <td>{review.caseReference ?? '—'}</td>
                <td>{review.recipientStates.join(', ')}</td>
                <td>
                  <label for={`reason-${review.id}`}>{t('register.reason')}</label>
                  <input
                    id={`reason-${review.id}`}
                    type="text"
                    value={reasons[review.id] ?? ''}
                    onInput={(e) =>
                      setReasons({ ...reasons, [review.id]: (e.target as HTMLInputElement).value })
                    }
                  />
                  <button type="button" onClick={() => decide(review, 'confirm')}>
                    {t('register.confirm')}
                  </button>
                  <button type="button" onClick={() => decide(review, 'clear')}>
                    {t('register.clear')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
