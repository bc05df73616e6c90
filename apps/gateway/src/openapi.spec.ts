import 'reflect-metadata';
import type { OpenAPIObject } from '@nestjs/swagger';

const ERROR_SCHEMA = '#/components/schemas/ErrorResponseDto';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Response {
  content?: Record<string, { schema?: unknown }>;
  headers?: Record<string, unknown>;
}
interface Operation {
  responses?: Record<string, Response>;
  requestBody?: unknown;
  parameters?: Array<{ in: string }>;
  'x-permission'?: string;
  'x-access'?: string;
}

/**
 * What a route's documentation lacks, one line per fault, naming the route: a 2xx answer with a
 * schema (or one that has no body: 204, HEAD, OPTIONS, or an answer told by its headers), the
 * refusals its access rule gives (401 and 403 for officers, 400 and 403 for peers), 400 wherever
 * input is read, every refusal in the error filter's format, which access rule applies at all, and
 * the fields of its JSON body.
 */
function undocumented(document: OpenAPIObject): string[] {
  const faults: string[] = [];
  const schemas = (document.components?.schemas ?? {}) as Record<string, { properties?: object }>;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      const route = `${method.toUpperCase()} ${path}`;
      const responses = operation.responses ?? {};
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) {
        faults.push(`${route}: no 2xx response (@ApiOkResponse/@ApiCreatedResponse({ type }))`);
      }
      for (const [status, response] of success) {
        const bodiless =
          status === '204' || method === 'head' || method === 'options' || !!response.headers;
        const media = Object.entries(response.content ?? {});
        if (media.length === 0 && !bodiless) {
          faults.push(
            `${route}: ${status} has no schema (give it a type, or @ApiNoContentResponse)`,
          );
        }
        for (const [type, { schema }] of media) {
          if (!schema) faults.push(`${route}: ${status} ${type} has no schema`);
        }
      }
      const body = operation.requestBody as
        { content?: Record<string, { schema?: { $ref?: string } }> } | undefined;
      for (const { schema } of Object.values(body?.content ?? {})) {
        const name = schema?.$ref?.split('/').pop();
        const component = name ? schemas[name] : undefined;
        if (name && Object.keys(component?.properties ?? {}).length === 0) {
          faults.push(`${route}: request body ${name} has no properties (@ApiProperty)`);
        }
      }
      const access = operation['x-permission'] ? 'officer' : operation['x-access'];
      const required: string[] = [];
      if (access === 'officer') required.push('401', '403');
      else if (access === 'peer-signed') required.push('400', '403');
      else if (access !== 'public') {
        faults.push(`${route}: no access rule (@Requires, @Public or @PeerSigned)`);
      }
      const readsInput =
        operation.requestBody !== undefined ||
        (operation.parameters ?? []).some((parameter) => parameter.in === 'query');
      if (readsInput && !required.includes('400')) required.push('400');
      for (const status of required.filter((status) => !(status in responses))) {
        faults.push(`${route}: no ${status} response (@ApiErrors({ ${status}: [codes] }))`);
      }
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const schema = response.content?.['application/json']?.schema as
          { $ref?: string } | undefined;
        if (schema?.$ref !== ERROR_SCHEMA) {
          faults.push(`${route}: ${status} is not in the error format (@ApiErrors)`);
        }
      }
    }
  }
  return faults;
}

const documentOf = (paths: Record<string, Record<string, Operation>>) =>
  ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths }) as unknown as OpenAPIObject;
const error = { content: { 'application/json': { schema: { $ref: ERROR_SCHEMA } } } };
const json = { content: { 'application/json': { schema: { type: 'object' } } } };

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;
  beforeAll(async () => {
    // Nest's ES modules loaded before the CommonJS packages that require them (nestjs-prometheus,
    // throttler): Jest's ESM loader refuses to require a module still being evaluated.
    await import('@nestjs/common');
    await import('@nestjs/core');
    const { offlineGatewayDocument } = await import('./openapi-offline.js');
    document = await offlineGatewayDocument();
  });

  it('documents, for every route, its 2xx schema and the refusals its access rule and input give', () => {
    expect(undocumented(document)).toEqual([]);
  });

  it('holds the officer, public and peer routes, each with its access rule', () => {
    const access = (method: string, path: string) => {
      const operation = document.paths[path]?.[method as 'get'] as Operation | undefined;
      return operation?.['x-permission'] ?? operation?.['x-access'];
    };
    expect(access('post', '/api/v1/messages')).toBe('messages.submit');
    expect(access('post', '/inbound/v1/envelopes')).toBe('peer-signed');
    expect(
      access('put', '/inbound/v1/messages/{messageId}/attachments/{attachment}/chunks/{chunk}'),
    ).toBe('peer-signed');
    expect(access('get', '/health/ready')).toBe('public');
    // Public and peer routes take no bearer credential; officers' do (the document's default).
    expect(document.paths['/inbound/v1/envelopes'].post?.security).toEqual([{}]);
    expect(document.security).toEqual([{ bearer: [] }]);
  });
});

describe('the OpenAPI document check', () => {
  it('names the route with no 2xx, or a 2xx without a schema', () => {
    expect(
      undocumented(
        documentOf({
          '/a': { get: { 'x-access': 'public', responses: {} } },
          '/b': { post: { 'x-access': 'public', responses: { '200': { content: {} } } } },
          '/c': { delete: { 'x-access': 'public', responses: { '204': {} } } },
        }),
      ),
    ).toEqual([
      'GET /a: no 2xx response (@ApiOkResponse/@ApiCreatedResponse({ type }))',
      'POST /b: 200 has no schema (give it a type, or @ApiNoContentResponse)',
    ]);
  });

  it('asks officers’ routes for 401 and 403, peers’ for 400 and 403, and 400 where input is read', () => {
    expect(
      undocumented(
        documentOf({
          '/officer': { get: { 'x-permission': 'messages.list', responses: { '200': json } } },
          '/peer': {
            post: { 'x-access': 'peer-signed', responses: { '200': json, '403': error } },
          },
          '/query': {
            get: {
              'x-access': 'public',
              parameters: [{ in: 'query' }],
              responses: { '200': json },
            },
          },
          '/nobody': { get: { responses: { '200': json } } },
        }),
      ),
    ).toEqual([
      'GET /officer: no 401 response (@ApiErrors({ 401: [codes] }))',
      'GET /officer: no 403 response (@ApiErrors({ 403: [codes] }))',
      'POST /peer: no 400 response (@ApiErrors({ 400: [codes] }))',
      'GET /query: no 400 response (@ApiErrors({ 400: [codes] }))',
      'GET /nobody: no access rule (@Requires, @Public or @PeerSigned)',
    ]);
  });

  it('names a request body whose fields are not documented', () => {
    const faulty = documentOf({
      '/a': {
        post: {
          'x-access': 'public',
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Empty' } } },
          },
          responses: { '200': json, '400': error },
        },
      },
    });
    faulty.components = { schemas: { Empty: { type: 'object', properties: {} } } };
    expect(undocumented(faulty)).toEqual([
      'POST /a: request body Empty has no properties (@ApiProperty)',
    ]);
  });

  it('asks every refusal for the error filter’s format', () => {
    expect(
      undocumented(
        documentOf({
          '/a': { get: { 'x-access': 'public', responses: { '200': json, '404': json } } },
        }),
      ),
    ).toEqual(['GET /a: 404 is not in the error format (@ApiErrors)']);
  });
});
