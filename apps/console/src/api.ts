/** The gateway's API, called from the console on the same origin with the session cookie. */

export interface ApiErrorBody {
  code: string;
  message: string;
  details: Array<Record<string, unknown>>;
}

/** An error answered by the API: its stable code, message and the fields or rules at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
    readonly correlationId?: string,
  ) {
    super(body.message);
  }
}

const CSRF_COOKIE = 'tip_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** The session's CSRF token, from its cookie (double submit). */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return value.join('=');
  }
  return undefined;
}

let onSignedOut: () => void = () => undefined;

/** Called when the API answers 401 during a session: the session has ended or expired. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export async function call<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const sent: Record<string, string> = { accept: 'application/json', ...headers };
  if (body !== undefined) sent['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken();
    if (token) sent[CSRF_HEADER] = token;
  }
  const response = await fetch(path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const answer = json as { error?: ApiErrorBody; correlationId?: string } | undefined;
    const error = new ApiError(
      response.status,
      answer?.error ?? {
        code: `HTTP_${response.status}`,
        message: response.statusText,
        details: [],
      },
      answer?.correlationId,
    );
    if (response.status === 401 && path !== '/api/v1/session') onSignedOut();
    throw error;
  }
  return json as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  call<T>('POST', path, body ?? {}, headers);

/** Query string of the defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '' && value !== false) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// Shapes of the answers the console reads (see the gateway's OpenAPI document).

export interface Me {
  username: string;
  kind: 'person' | 'service';
  authorityId: string;
  roles: string[];
  jits: string[];
  permissions: string[];
  /** The procedures whose cases the caller works on (and the JITs of a liaison officer). */
  scope: { authorityId: string; procedures: string[]; jitCases: string[] };
}

export interface Deadline {
  profileId: string;
  instrument: string;
  source: string;
  serviceLevel: boolean;
  status: string;
  startedAt: string;
  dueAt: string;
  pausedAt: string | null;
}

export interface RequestView {
  id: string;
  caseReference: string;
  procedure: string;
  role: string;
  counterparts: string[];
  status: string;
  openedAt: string;
  updatedAt: string;
  deadlines: Deadline[];
}

export interface RequestDetail extends RequestView {
  /** The message types this side may send next (the procedure's state machine). */
  nextMessageTypes: string[];
  thread: Array<{
    messageId: string;
    direction: string;
    status: string;
    messageType: string;
    sender: string;
    recipient: string;
    createdAt: string;
    inReplyTo: string | null;
  }>;
}

export interface RecipientPreview {
  recipient: string;
  outcome: string;
  rules: Array<Record<string, unknown>>;
  redactions: Array<{ path: string; ruleId: string; action: string }>;
  noOnwardTransferTo: string[];
  explanation: string;
  awaitingChecks: string[];
}

export interface Authority {
  id: string;
  state: string;
  name: string;
  procedures?: string[];
}

/** A field of a generated form (GET /api/v1/procedures): from the schema the API validates. */
export interface FieldDescription {
  name: string;
  path: string;
  kind: 'text' | 'boolean' | 'number' | 'enum' | 'object' | 'array';
  presence: 'required' | 'conditional' | 'optional';
  missing?: { name: string; message: string; rule?: string };
  constraints: Array<{ name: string; message: string; rule?: string }>;
  maxLength?: number;
  pattern?: string;
  format?: 'date' | 'partial-date' | 'date-time' | 'country' | 'currency';
  values?: string[];
  minimum?: number;
  minItems?: number;
  maxItems?: number;
  checks?: string[];
  fields?: FieldDescription[];
  items?: FieldDescription;
}

export interface FormDescription {
  procedure: string;
  messageType: string;
  senders: string[];
  opensCase: boolean;
  fields: FieldDescription[];
}

/** A message (GET /api/v1/messages/{id}): what the console reads of it. */
export interface MessageDetail {
  id: string;
  direction: string;
  messageType: string;
  sender: string;
  recipient: string;
  caseReference: string;
  payload: {
    handling?: { permittedPurpose: string; confidential: boolean; noOnwardTransferTo: string[] };
  };
}
