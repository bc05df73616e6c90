import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * The node's Prometheus metrics. Counters are process-wide singletons (one registry per
 * process); the figures that PostgreSQL and the queues hold are read when Prometheus scrapes
 * (`scrapedGauge`). No label ever carries case content: events, outcomes, rule ids, routes,
 * queue states. The apps serve them at /metrics through @willsoto/nestjs-prometheus (imported
 * there only: it is CommonJS, which the libs' ESM unit tests cannot load).
 */

function single<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const auditEvents = single(
  'tip_audit_events_total',
  () =>
    new Counter({
      name: 'tip_audit_events_total',
      help: 'Audit entries written by this process, by event',
      labelNames: ['event'],
    }),
);

export const policyDecisions = single(
  'tip_policy_decisions_total',
  () =>
    new Counter({
      name: 'tip_policy_decisions_total',
      help: 'Policy decisions per recipient, by outcome and by rule that found something ("none" when no rule did)',
      labelNames: ['outcome', 'rule'],
    }),
);

export const deliveryAttempts = single(
  'tip_delivery_attempts_total',
  () =>
    new Counter({
      name: 'tip_delivery_attempts_total',
      help: 'Deliveries to peers: delivered, retried (transient failure) or failed (permanent, or out of retries)',
      labelNames: ['outcome'],
    }),
);

export const deliverySeconds = single(
  'tip_delivery_attempt_seconds',
  () =>
    new Histogram({
      name: 'tip_delivery_attempt_seconds',
      help: "Time for one delivery attempt: the peer's answer to the envelope",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
);

export const registerChecks = single(
  'tip_register_checks_total',
  () =>
    new Counter({
      name: 'tip_register_checks_total',
      help: 'Protected-persons register checks answered by this node, by outcome (hit or clear)',
      labelNames: ['outcome'],
    }),
);

export const httpSeconds = single(
  'tip_http_request_seconds',
  () =>
    new Histogram({
      name: 'tip_http_request_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    }),
);

/**
 * A gauge whose values are read at scrape time (from PostgreSQL or the queues). A failed read
 * leaves the gauge empty for that scrape rather than failing the others.
 */
export function scrapedGauge(
  name: string,
  help: string,
  labelNames: string[],
  read: () => Promise<Array<{ labels: Record<string, string>; value: number }>>,
): Gauge {
  const existing = register.getSingleMetric(name);
  if (existing) register.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      this.reset();
      try {
        for (const { labels, value } of await read()) this.set(labels, value);
      } catch {
        // Out of reach now: the readiness probe says so; the metric is simply absent.
      }
    },
  });
}

const POLICY_EVENTS = new Set(['policy.decided', 'policy.refused']);
const DELIVERY_EVENTS: Record<string, string> = {
  'message.delivered': 'delivered',
  'message.retried': 'retried',
  'message.failed': 'failed',
};

/** Counts what an audit entry records. Called for every entry written, whatever the lib. */
export function countAuditEvent(event: string, details: Record<string, unknown> = {}): void {
  auditEvents.inc({ event });
  if (POLICY_EVENTS.has(event)) {
    const outcome = typeof details.outcome === 'string' ? details.outcome : 'unknown';
    const findings = Array.isArray(details.findings) ? details.findings : [];
    const rules = new Set(
      findings
        .map((finding) => (finding as { ruleId?: unknown }).ruleId)
        .filter((rule): rule is string => typeof rule === 'string'),
    );
    if (rules.size === 0) policyDecisions.inc({ outcome, rule: 'none' });
    for (const rule of rules) policyDecisions.inc({ outcome, rule });
  } else if (event in DELIVERY_EVENTS) {
    deliveryAttempts.inc({ outcome: DELIVERY_EVENTS[event] });
  } else if (event === 'register.checked') {
    const hits = Array.isArray(details.hits) ? details.hits.length : 0;
    registerChecks.inc({ outcome: hits > 0 ? 'hit' : 'clear' });
  }
}

/**
 * Times every HTTP request by its route pattern (`/api/v1/messages/:id`), never by its path: a
 * path a stranger makes up would otherwise become a label of its own.
 */
export function timeHttpRequests(
  request: { method: string; route?: { path?: unknown }; baseUrl?: string },
  response: { statusCode: number; once(event: 'finish', listener: () => void): unknown },
  next: () => void,
): void {
  const end = httpSeconds.startTimer();
  response.once('finish', () => {
    // Static files and Nest's not-found catch-all (`{/*splat}`) are one label.
    const pattern = request.route?.path;
    const route =
      typeof pattern === 'string' && !pattern.includes('*')
        ? `${request.baseUrl ?? ''}${pattern}`
        : 'unmatched';
    end({ method: request.method, route, status: String(response.statusCode) });
  });
  next();
}
