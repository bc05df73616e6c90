import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { ErrorView, Page } from '../components.js';
import { useI18n } from '../i18n.js';
import { EnumValue, useEnumLabel } from '../enum-labels.js';

interface Account {
  username: string;
  kind: string;
  authorityId: string;
  roles: string[];
  jits: string[];
}

/** The active accounts of the administrator's authority. */
export function UsersPage() {
  const { t } = useI18n();
  const enumLabel = useEnumLabel();
  const [accounts, setAccounts] = useState<Account[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<Account[]>('/api/v1/users').then(setAccounts, setError);
  }, []);
  return (
    <Page title={t('users.title')}>
      <ErrorView error={error} />
      {accounts && (
        <table>
          <caption>{t('users.caption', { count: accounts.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.username')}</th>
              <th scope="col">{t('users.kind')}</th>
              <th scope="col">{t('users.authority')}</th>
              <th scope="col">{t('users.roles')}</th>
              <th scope="col">{t('users.jits')}</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr key={account.username}>
                <td>{account.username}</td>
                <td>
                  <EnumValue family="accountKind" code={account.kind} />
                </td>
                <td>{account.authorityId}</td>
                <td>{account.roles.map((role) => enumLabel('role', role)).join(', ')}</td>
                <td>{account.jits.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
