import { useState } from 'preact/hooks';
import { get } from './api.js';
import { ErrorView } from './components.js';
import { useI18n } from './i18n.js';

/** What the console reads of an evidence bundle (GET /api/v1/messages/{id}/evidence). */
interface EvidenceBundle {
  message: { id: string };
  contentErasure: { note?: string } | null;
}

/** The file name an evidence bundle is saved under: the message it proves. */
export const evidenceFileName = (messageId: string) => `evidence-${messageId}.json`;

/** Saves a bundle as a JSON file through a temporary link (the API answers JSON, not a file). */
function save(bundle: EvidenceBundle): void {
  const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = evidenceFileName(bundle.message.id);
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser surely read it: revoking at once can cancel the download.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** Fetches and saves a message's evidence bundle; the API's refusal (code and message) if any. */
export function useEvidenceDownload() {
  const [error, setError] = useState<unknown>();
  const [erased, setErased] = useState<string>();
  const [busy, setBusy] = useState(false);
  const download = async (messageId: string) => {
    setError(undefined);
    setErased(undefined);
    setBusy(true);
    try {
      const bundle = await get<EvidenceBundle>(
        `/api/v1/messages/${encodeURIComponent(messageId)}/evidence`,
      );
      save(bundle);
      // The bundle still proves the exchange; say why the envelope is not in it.
      if (bundle.contentErasure) setErased(bundle.contentErasure.note ?? '');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { download, error, erased, busy };
}

/** What a download left to say: the refusal, or that the content was erased. */
export function EvidenceOutcome({ error, erased }: { error: unknown; erased: string | undefined }) {
  const { t } = useI18n();
  return (
    <>
      <ErrorView error={error} />
      {erased !== undefined && (
        <p role="status" class="notice">
          {t('evidence.erased')} {erased}
        </p>
      )}
    </>
  );
}

/** A button that downloads one message's evidence bundle, with its outcome next to it. */
export function EvidenceDownload({ messageId }: { messageId: string }) {
  const { t } = useI18n();
  const { download, error, erased, busy } = useEvidenceDownload();
  return (
    <div class="evidence">
      <button
        type="button"
        disabled={busy}
        aria-label={t('evidence.downloadOf', { id: messageId })}
        onClick={() => void download(messageId)}
      >
        {t('evidence.download')}
      </button>
      <EvidenceOutcome error={error} erased={erased} />
    </div>
  );
}
