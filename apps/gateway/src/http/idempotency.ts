/** Retrying a submission after a timeout: the same key and body get the first answer (R9). */
export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Any unique value per submission (a UUID): a retry with the same key and body gets the first answer; another body under the same key answers 422 IDEMPOTENCY_KEY_REUSED',
};
