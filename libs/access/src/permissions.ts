import type { Role } from './roles.js';

const CASEWORKERS = [
  'central-authority-officer',
  'liaison-officer',
  'repatriation-officer',
  'asset-recovery-officer',
] as const satisfies readonly Role[];

/**
 * Who may do what: the one declarative permission table. Anything not granted here is denied;
 * every HTTP endpoint names exactly one permission (or is public or peer-signed), and a test
 * checks every role against every endpoint.
 */
export const PERMISSIONS = {
  /** Who am I: every signed-in user. */
  'session.read': [
    ...CASEWORKERS,
    'supervisor',
    'asylum-authority-officer',
    'auditor',
    'monitor',
    'administrator',
  ],
  /** One's own e-mail address and notification kinds (issue 14): every signed-in user. */
  'notifications.own': [
    ...CASEWORKERS,
    'supervisor',
    'asylum-authority-officer',
    'auditor',
    'monitor',
    'administrator',
  ],
  'messages.submit': [...CASEWORKERS, 'supervisor'],
  /** The message types one may send and their forms, generated from the body schemas. */
  'procedures.read': [...CASEWORKERS, 'supervisor'],
  'messages.list': [...CASEWORKERS, 'supervisor'],
  'messages.read': [...CASEWORKERS, 'supervisor'],
  'messages.mark-read': [...CASEWORKERS, 'supervisor'],
  /** Onward transfer: speciality and HC-1 still apply (UNTOC 18(19), 18(20)). */
  'messages.forward': [...CASEWORKERS, 'supervisor'],
  /** Bundles hold the sealed envelope, receipts and audit entries, not the opened payload. */
  'evidence.export': [...CASEWORKERS, 'supervisor', 'auditor'],
  'mailbox.stream': [...CASEWORKERS, 'supervisor'],
  'requests.list': [...CASEWORKERS, 'supervisor'],
  'requests.read': [...CASEWORKERS, 'supervisor'],
  'requests.answer': [...CASEWORKERS, 'supervisor'],
  'requests.withdraw': [...CASEWORKERS, 'supervisor'],
  /** Each sees the facts of their procedures; the asylum authority, the asylum facts of all. */
  'case-facts.read': [...CASEWORKERS, 'supervisor', 'asylum-authority-officer'],
  'case-facts.write': [...CASEWORKERS, 'supervisor', 'asylum-authority-officer'],
  'policy.explain': [...CASEWORKERS, 'supervisor'],
  /** A warning (W-rules) is lifted only by a supervisor's justified acknowledgement (domain.md 4). */
  'policy.acknowledge-warnings': ['supervisor'],
  /**
   * Submissions refused only for warnings, waiting for a supervisor: listing them with their
   * drafts, acknowledging each warning with a justification (then sent), or declining with a
   * reason. Never one's own submission (separation of duties).
   */
  'warnings.review': ['supervisor'],
  /** Whoever submits reads the status of their own submissions waiting for a supervisor. */
  'supervised-submissions.own': [...CASEWORKERS, 'supervisor'],
  /** Legal holds: content kept whatever its retention profile says (README, Retention). */
  'retention.hold': ['supervisor'],
  /** The protected-persons register: the asylum authority only, never listed or exported. */
  'register.read': ['asylum-authority-officer'],
  'register.write': ['asylum-authority-officer'],
  /** Register hits are reviewed by the entry's owner, never by the sender (domain.md 4). */
  'register.review': ['asylum-authority-officer'],
  /** Submissions held while a register cannot be consulted: their senders' view of them. */
  'held-submissions.read': [...CASEWORKERS, 'supervisor'],
  /** Evidence files (tus uploads): uploading, and reading back what one's authority uploaded. */
  'files.upload': [...CASEWORKERS, 'supervisor'],
  'files.read': [...CASEWORKERS, 'supervisor'],
  'directory.read': [...CASEWORKERS, 'supervisor', 'auditor', 'administrator'],
  'audit.read': ['auditor'],
  /** Aggregated, anonymised figures (OHCHR G1.7, G3.3; 004 Table 4). */
  'statistics.read': ['monitor', 'supervisor'],
  /** Operational figures (Prometheus): counts, outcomes, rule ids and latencies, no case content. */
  'metrics.read': ['monitor', 'administrator'],
  /**
   * The queue dashboard (bull-board, /admin/queues): job ids, states, timings and failure reasons
   * of the delivery and deadline queues, no case content. Read-only: see QueueDashboardController.
   */
  'queues.read': ['administrator'],
  /**
   * The delivery view: the authority's outgoing messages not delivered, with the peer's reason and
   * the queue's depths; routing facts only, no case content (no body, persons or case reference).
   * Supervisors oversee their authority's exchanges and may read it.
   */
  'deliveries.read': ['administrator', 'supervisor'],
  /** Putting an undelivered message back on the queue: an operator's decision, audited. */
  'deliveries.retry': ['administrator'],
  'users.manage': ['administrator'],
  /** Approving or refusing another administrator's role grant (separation of duties). */
  'role-grants.decide': ['administrator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isGranted(roles: readonly Role[], permission: Permission): boolean {
  const granted: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => granted.includes(role));
}
