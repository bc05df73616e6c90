import type { Request } from 'express';

/** The correlation id pino-http assigned to the request (see the logger module). */
export function correlationIdOf(request: Request): string {
  const id: unknown = (request as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : 'unassigned';
}
