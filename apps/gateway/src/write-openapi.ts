import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { offlineGatewayDocument } from './openapi-offline.js';

/** `npm run openapi [-- <file>]`: writes the OpenAPI document (dist/openapi.json by default). */
const target = resolve(process.argv[2] ?? 'dist/openapi.json');
const document = await offlineGatewayDocument();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
const operations = Object.values(document.paths).flatMap((item) => Object.keys(item)).length;
console.log(`${target}: ${operations} operations`);
