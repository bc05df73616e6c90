import { useEffect, useState } from 'preact/hooks';
import { get, type Me, type RequestDetail } from '../api.js';
import { MessageAttachments } from '../attachments.js';
import { EvidenceDownload } from '../evidence.js';
import { DeadlineClock, ErrorView, formatDateTime, Page } from '../components.js';
import { useI18n, type LabelKey } from '../i18n.js';
import {
  actionsFor,
  AnswerForm,
  ForwardForm,
  WithdrawForm,
  type Action,
} from './request-actions.js';
import { EnumValue } from '../enum-labels.js';

/**
 * A request: its thread as a timeline, and its deadline clocks; and what the officer's
 * permissions and side allow on it (answer, withdraw, forward), one at a time.
 */
export function RequestPage({ id, me }: { id: string; me: Me }) {
  const { t, language } = useI18n();
  const [request, setRequest] = useState<RequestDetail>();
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<Action>();

  const load = () =>
    get<RequestDetail>(`/api/v1/requests/${encodeURIComponent(id)}`).then(setRequest, setError);
  useEffect(() => {
    setAction(undefined);
    void load();
  }, [id]);

  if (error) {
    return (
      <Page title={t('request.title')}>
        <ErrorView error={error} />
      </Page>
    );
  }
  if (!request) return <p aria-busy="true">{t('app.loading')}</p>;
  const actions = actionsFor(me, request);
  return (
    <Page title={t('request.titleOf', { reference: request.caseReference })}>
      <p>
        <a href="#/mailbox">{t('request.back')}</a>
      </p>
      <dl class="facts">
        <dt>{t('field.procedure')}</dt>
        <dd>{t(`procedure.${request.procedure}` as 'procedure.mla')}</dd>
        <dt>{t('field.role')}</dt>
        <dd>
          <EnumValue family="senderRole" code={request.role} />
        </dd>
        <dt>{t('field.counterparts')}</dt>
        <dd>{request.counterparts.join(', ')}</dd>
        <dt>{t('field.state')}</dt>
        <dd>
          <EnumValue family="state" code={request.status} />
        </dd>
        <dt>{t('field.opened')}</dt>
        <dd>{formatDateTime(request.openedAt, language)}</dd>
      </dl>
      <h2>{t('request.deadlines')}</h2>
      {request.deadlines.length === 0 ? (
        <p>{t('request.noDeadlines')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('field.deadline')}</th>
              <th scope="col">{t('field.source')}</th>
              <th scope="col">{t('field.due')}</th>
            </tr>
          </thead>
          <tbody>
            {request.deadlines.map((deadline) => (
              <tr key={deadline.profileId}>
                <td>
                  {deadline.instrument}
                  {deadline.serviceLevel && ` (${t('request.serviceLevel')})`}
                </td>
                <td>{deadline.source}</td>
                <td>
                  <DeadlineClock dueAt={deadline.dueAt} status={deadline.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('request.thread')}</h2>
      <ol class="timeline">
        {request.thread.map((message) => (
          <li key={message.messageId}>
            <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, language)}</time>
            <p>
              <strong>
                <EnumValue family="messageType" code={message.messageType} />
              </strong>{' '}
              · {t(`direction.${message.direction}` as 'direction.outbound')} ·{' '}
              {t('request.fromTo', { sender: message.sender, recipient: message.recipient })}
            </p>
            <p class="muted">
              {t('field.state')}: <EnumValue family="messageStatus" code={message.status} />
            </p>
            <MessageAttachments
              messageId={message.messageId}
              received={message.direction === 'inbound'}
            />
            {me.permissions.includes('evidence.export') && (
              <EvidenceDownload messageId={message.messageId} />
            )}
          </li>
        ))}
      </ol>
      {actions.length > 0 && (
        <>
          <h2 id="actions-title">{t('request.actions')}</h2>
          <div class="actions" role="group" aria-labelledby="actions-title">
            {actions.map((a) => (
              <button
                key={a}
                type="button"
                aria-expanded={action === a}
                aria-controls={action === a ? `action-${a}` : undefined}
                onClick={() => setAction(action === a ? undefined : a)}
              >
                {t(`request.action.${a}` as LabelKey)}
              </button>
            ))}
          </div>
        </>
      )}
      {/* Outside the buttons' block: a sent withdrawal leaves no action, and its outcome stays. */}
      {action && (
        <div id={`action-${action}`}>
          {action === 'answer' && (
            <AnswerForm key={request.id} me={me} request={request} onSent={() => void load()} />
          )}
          {action === 'withdraw' && (
            <WithdrawForm key={request.id} request={request} onSent={() => void load()} />
          )}
          {action === 'forward' && <ForwardForm key={request.id} me={me} request={request} />}
        </div>
      )}
    </Page>
  );
}
