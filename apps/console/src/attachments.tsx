import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Upload, type DetailedError } from 'tus-js-client';
import { ApiError, CSRF_HEADER, csrfToken, get, type ApiErrorBody } from './api.js';
import { ErrorView } from './components.js';
import { useI18n, type LabelKey } from './i18n.js';
import { FILE_CATEGORIES, FileUploads, type FileCategory, type FileEntry } from './uploads.js';

/** A tus request's refusal as the API's error (its code and details), or the network's. */
function errorOf(error: Error): unknown {
  const response = (error as DetailedError).originalResponse;
  if (!response) return error;
  const status = response.getStatus();
  try {
    const answer = JSON.parse(response.getBody()) as {
      error?: ApiErrorBody;
      correlationId?: string;
    };
    if (answer.error) return new ApiError(status, answer.error, answer.correlationId);
  } catch {
    // Not the API's JSON: the status says enough.
  }
  return new ApiError(status, { code: `HTTP_${status}`, message: error.message, details: [] });
}

/**
 * The files of a draft (both compose forms): uploads with progress, pause and resume, and what the
 * submission's `attachments` carries. `changed` is called when the attachments change (the draft's
 * preview no longer holds).
 */
export function useAttachments(owner: string, changed: () => void) {
  const [entries, setEntries] = useState<readonly FileEntry[]>([]);
  const uploads = useMemo(
    () =>
      new FileUploads(
        (file, options) => new Upload(file, options),
        {
          owner,
          headers: (): Record<string, string> => {
            const token = csrfToken();
            return token ? { [CSRF_HEADER]: token } : {};
          },
          errorOf,
        },
        setEntries,
      ),
    [owner],
  );
  const attachments = uploads.attachments();
  // What the submission carries: when it changes, the preview and any outcome are of another draft.
  const key = JSON.stringify(attachments) + entries.map((e) => e.key).join();
  const onChange = useRef(changed);
  onChange.current = changed;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else onChange.current();
  }, [key]);
  // Back online after a cut the retries did not outlast: continue where each upload stopped.
  useEffect(() => {
    const online = () => uploads.resumeFailed();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [uploads]);
  return {
    uploads,
    entries,
    key,
    pending: entries.some((entry) => entry.state !== 'complete'),
    /** The submission with its attachments (none: the submission as it is). */
    with: <T extends object>(submission: T): T & { attachments?: typeof attachments } =>
      attachments.length > 0 ? { ...submission, attachments } : submission,
  };
}

export type AttachmentsState = ReturnType<typeof useAttachments>;

/** The rules of the preview or a refusal that name the attachment at `position` (`attachments`). */
export function findingsFor(
  findings: ReadonlyArray<Record<string, unknown>>,
  position: number,
): Array<{ rule: string; message: string }> {
  const seen = new Map<string, { rule: string; message: string }>();
  for (const finding of findings) {
    const named = Array.isArray(finding.attachments) ? (finding.attachments as unknown[]) : [];
    if (!named.includes(position)) continue;
    const rule = typeof finding.rule === 'string' ? finding.rule : '';
    const message =
      typeof finding.message === 'string'
        ? finding.message
        : typeof finding.explanation === 'string'
          ? finding.explanation
          : '';
    seen.set(`${rule}|${message}`, { rule, message });
  }
  return [...seen.values()];
}

function formatBytes(bytes: number, language: string): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

/**
 * The files of a draft: choose files, each uploaded with its progress bar, Pause and Resume,
 * its declared category and Remove; the rules the preview or a refusal found in a file, by file.
 */
export function Attachments({
  files,
  findings,
  idPrefix,
}: {
  files: AttachmentsState;
  /** The preview's rules and a refusal's details: those naming a file are shown at it. */
  findings: ReadonlyArray<Record<string, unknown>>;
  idPrefix: string;
}) {
  const { t, language } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const previous = useRef(new Map<string, string>());
  // Announce politely when a file's upload completes, pauses or stops.
  useEffect(() => {
    for (const entry of files.entries) {
      if (previous.current.get(entry.key) !== entry.state && entry.state !== 'uploading')
        setAnnouncement(`${entry.name}: ${t(`attachments.state.${entry.state}` as LabelKey)}`);
      previous.current.set(entry.key, entry.state);
    }
  }, [files.entries]);
  let position = 0;
  return (
    <fieldset class="attachments">
      <legend>{t('attachments.legend')}</legend>
      <div class="field">
        <label for={`${idPrefix}-files`}>{t('attachments.choose')}</label>
        <input
          ref={input}
          id={`${idPrefix}-files`}
          type="file"
          multiple
          aria-describedby={`${idPrefix}-files-help`}
          onChange={(e) => {
            const chosen = Array.from((e.target as HTMLInputElement).files ?? []);
            for (const file of chosen) void files.uploads.add(file);
            if (input.current) input.current.value = '';
          }}
        />
        <p id={`${idPrefix}-files-help`} class="help">
          {t('attachments.help')}
        </p>
      </div>
      {files.entries.length > 0 && (
        <ul class="files">
          {files.entries.map((entry) => {
            const at = entry.state === 'complete' ? position++ : -1;
            const found = at >= 0 ? findingsFor(findings, at) : [];
            const percent = entry.size === 0 ? 100 : Math.floor((entry.sent / entry.size) * 100);
            const id = `${idPrefix}-${entry.key}`;
            return (
              <li key={entry.key} class="file">
                <p>
                  <strong id={`${id}-name`}>{entry.name}</strong>{' '}
                  <span class="muted">({formatBytes(entry.size, language)})</span>
                </p>
                <div class="field">
                  <label for={`${id}-category`}>
                    {t('attachments.category', { name: entry.name })}
                  </label>
                  <select
                    id={`${id}-category`}
                    value={entry.category}
                    onChange={(e) =>
                      files.uploads.setCategory(
                        entry.key,
                        (e.target as HTMLSelectElement).value as FileCategory,
                      )
                    }
                  >
                    {FILE_CATEGORIES.map((category) => (
                      <option key={category} value={category}>
                        {t(`attachments.categories.${category}` as LabelKey)}
                      </option>
                    ))}
                  </select>
                  {entry.category === 'fingerprints' && (
                    <p class="help">{t('attachments.fingerprintsHelp')}</p>
                  )}
                  {entry.category === 'health' && <p class="help">{t('attachments.healthHelp')}</p>}
                </div>
                <div class="upload-progress">
                  <label for={`${id}-progress`}>
                    {t('attachments.progress', { name: entry.name })}
                  </label>
                  <progress id={`${id}-progress`} max={100} value={percent}>
                    {percent} %
                  </progress>
                  <span id={`${id}-state`}>
                    {percent} % · {t(`attachments.state.${entry.state}` as LabelKey)}
                    {entry.resumed && ` · ${t('attachments.resumed')}`}
                  </span>
                </div>
                <div class="actions">
                  {entry.state === 'uploading' && (
                    <button
                      type="button"
                      aria-label={`${t('attachments.pause')}: ${entry.name}`}
                      onClick={() => void files.uploads.pause(entry.key)}
                    >
                      {t('attachments.pause')}
                    </button>
                  )}
                  {(entry.state === 'paused' || entry.state === 'failed') && (
                    <button
                      type="button"
                      aria-label={`${t('attachments.resume')}: ${entry.name}`}
                      onClick={() => files.uploads.resume(entry.key)}
                    >
                      {t('attachments.resume')}
                    </button>
                  )}
                  <button
                    type="button"
                    aria-label={`${t('attachments.remove')}: ${entry.name}`}
                    onClick={() => void files.uploads.remove(entry.key)}
                  >
                    {t('attachments.remove')}
                  </button>
                </div>
                {entry.error !== undefined && <ErrorView error={entry.error} />}
                {found.length > 0 && (
                  <ul
                    class="file-findings"
                    aria-label={t('attachments.findings', { name: entry.name })}
                  >
                    {found.map((finding) => (
                      <li key={`${finding.rule}|${finding.message}`}>
                        <code class="code">{finding.rule}</code> {finding.message}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {files.pending && <p class="help">{t('attachments.waiting')}</p>}
      <p role="status" class="sr-only">
        {announcement}
      </p>
    </fieldset>
  );
}

/** The preview's rules and a refusal's details, as `Attachments` reads them. */
export function findingsOf(
  preview: ReadonlyArray<{ rules: Array<Record<string, unknown>> }> | undefined,
  error: unknown,
): Array<Record<string, unknown>> {
  return [
    ...(preview ?? []).flatMap((decision) => decision.rules),
    ...(error instanceof ApiError ? error.body.details : []),
  ];
}

/** A file as a message's signed envelope lists it. */
interface MessageFile {
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  category?: string;
}

/**
 * The files a message carries (GET /api/v1/messages/{id}: its envelope's `attachments`), each with
 * its download (GET /api/v1/messages/{id}/attachments/{n}: decrypted, audited as a retrieval).
 */
export function MessageAttachments({
  messageId,
  received,
}: {
  messageId: string;
  /** A received message's files can be downloaded (a sent one's are kept sealed, as evidence). */
  received: boolean;
}) {
  const { t, language } = useI18n();
  const [files, setFiles] = useState<MessageFile[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    get<{ payload?: { attachments?: MessageFile[] } }>(`/api/v1/messages/${messageId}`).then(
      (message) => setFiles(message.payload?.attachments ?? []),
      setError,
    );
  }, [messageId]);
  if (error) return <ErrorView error={error} />;
  if (files.length === 0) return null;
  return (
    <ul class="message-files" aria-label={t('attachments.ofMessage')}>
      {files.map((file, position) => (
        <li key={position}>
          {received ? (
            <a
              href={`/api/v1/messages/${messageId}/attachments/${position}`}
              download={file.name}
              aria-label={t('attachments.download', { name: file.name })}
            >
              {file.name}
            </a>
          ) : (
            file.name
          )}{' '}
          <span class="muted">
            ({file.category ? `${t(`attachments.categories.${file.category}` as LabelKey)}, ` : ''}
            {formatBytes(file.size, language)})
          </span>
        </li>
      ))}
    </ul>
  );
}
