export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * When to try again after the given failed attempt (1-based): exponential backoff with jitter,
 * capped, and never past the end of the retry window. Returns null when the window has closed.
 * `random` is in [0, 1): the jitter spreads the retries of many messages to a peer that comes back.
 */
export function nextAttemptAt(
  failedAttempt: number,
  now: Date,
  retryUntil: Date,
  policy: RetryPolicy,
  random: number = Math.random(),
): Date | null {
  if (now.getTime() >= retryUntil.getTime()) return null;
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.min(failedAttempt - 1, 30),
  );
  const delay = exponential / 2 + (exponential / 2) * random;
  // The last attempt happens when the window closes, so that a late peer still gets its chance.
  return new Date(Math.min(now.getTime() + delay, retryUntil.getTime()));
}
