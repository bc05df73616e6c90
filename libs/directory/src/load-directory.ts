import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  validateSync,
} from 'class-validator';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import {
  AUTHORITY_ID_PATTERN,
  canonicalJson,
  fingerprintOf,
  PROCEDURES,
  readPublicKey,
  sha256Hex,
  validationDetails,
  type Procedure,
} from '#libs/envelope';
import {
  AUTHORITY_KINDS,
  AuthorityDirectory,
  type Authority,
  type AuthorityKind,
} from './authority.js';

/** One file per authority under the directory folder. */
class AuthorityFileSchema {
  @Matches(AUTHORITY_ID_PATTERN, {
    message: 'id must look like FR-MOJ-BEPI (ISO 3166-1 alpha-2 prefix)',
  })
  id!: string;
  @IsISO31661Alpha2() state!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsIn(AUTHORITY_KINDS) kind!: AuthorityKind;
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  endpoint!: string;
  @Matches(/^[0-9A-F]{40}$/, {
    message: 'fingerprint must be 40 upper-case hex digits (OpenPGP v4)',
  })
  fingerprint!: string;
  /** Path of the armored public key, relative to the authority file. */
  @IsString() publicKeyFile!: string;
  @IsArray() @ArrayNotEmpty() @IsIn(PROCEDURES, { each: true }) procedures!: Procedure[];
}

/**
 * Reads and validates every `*.json` authority file in a folder. All problems are collected and
 * reported together, each naming its file and field, so that start-up fails once with a full list.
 */
export async function loadDirectory(folder: string): Promise<AuthorityDirectory> {
  const root = resolve(folder);
  let files: string[];
  try {
    files = readdirSync(root)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `authority directory ${root} cannot be read`,
    );
  }
  const problems: ErrorDetail[] = [];
  const authorities: Authority[] = [];
  for (const file of files) {
    const path = join(root, file);
    const report = (detail: ErrorDetail) => problems.push({ file: path, ...detail });
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      report({ message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      report({ message: 'must hold one JSON object (one authority per file)' });
      continue;
    }
    const entry = plainToInstance(AuthorityFileSchema, document);
    const errors = validateSync(entry, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      validationDetails(errors).forEach(report);
      continue;
    }
    if (!entry.id.startsWith(`${entry.state}-`)) {
      report({
        field: 'id',
        message: `id ${entry.id} must start with its State's code ${entry.state}-`,
      });
    }
    if (authorities.some((known) => known.id === entry.id)) {
      report({ field: 'id', message: `authority ${entry.id} is defined twice` });
    }
    let publicKeyArmored: string;
    try {
      publicKeyArmored = readFileSync(resolve(dirname(path), entry.publicKeyFile), 'utf8');
    } catch {
      report({ field: 'publicKeyFile', message: `cannot read ${entry.publicKeyFile}` });
      continue;
    }
    try {
      const publicKey = await readPublicKey(publicKeyArmored);
      const actual = fingerprintOf(publicKey);
      if (actual !== entry.fingerprint) {
        report({
          field: 'fingerprint',
          message: `does not match the public key (key has ${actual})`,
        });
        continue;
      }
      authorities.push({ ...entry, publicKeyArmored, publicKey });
    } catch {
      report({
        field: 'publicKeyFile',
        message: `${entry.publicKeyFile} is not an armored OpenPGP public key`,
      });
    }
  }
  if (files.length === 0)
    problems.push({ file: root, message: 'no authority files (*.json) found' });
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `authority directory ${root} is invalid`,
      problems,
    );
  }
  const digest = sha256Hex(canonicalJson(authorities.map(({ publicKey: _key, ...rest }) => rest)));
  return new AuthorityDirectory(authorities, digest);
}
