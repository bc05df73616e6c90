import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import {
  AUTHORITY_ID_PATTERN,
  canonicalJson,
  fingerprintOf,
  keyExpiresAt,
  PROCEDURES,
  readPublicKey,
  sha256Hex,
  validationDetails,
  type Procedure,
} from '#libs/envelope';
import { MEASURES, readJsonFolder, type ConfigFile, type Measure } from '#libs/kernel';
import {
  Authority,
  AUTHORITY_KINDS,
  AuthorityDirectory,
  REVOCATION_REASONS,
  TLS_PIN_PATTERN,
  URGENT_CHANNELS,
  type AuthorityKind,
  type Competence,
  type DirectoryKey,
  type DirectoryVersion,
  type RevocationReason,
} from './authority.js';

/** Peers are reached over HTTPS; plain HTTP only on loopback (the local networks of tests and demo). */
function endpointTransportAllowed(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
    );
  } catch {
    return true; // reported by IsUrl
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;
const rfc3339 = (field: string) =>
  Matches(RFC3339, { message: `${field} must be an RFC 3339 date and time` });

class KeyEntryBase {
  @Matches(/^[0-9A-F]{40}$/, {
    message: 'fingerprint must be 40 upper-case hex digits (OpenPGP v4)',
  })
  fingerprint!: string;
  @rfc3339('validFrom') validFrom!: string;
  /** End of the key's use: after a rotation, the end of the overlap with its successor. */
  @IsOptional() @rfc3339('validUntil') validUntil?: string;
  @IsOptional() @rfc3339('revokedAt') revokedAt?: string;
  @IsOptional() @IsIn(REVOCATION_REASONS) revocationReason?: RevocationReason;
}

/** A key in an authority file: the armored public key is in a file beside it. */
class KeyFileEntry extends KeyEntryBase {
  /** Path of the armored public key, relative to the authority file. */
  @IsString() publicKeyFile!: string;
}

/** A key in a signed directory document: the armored public key is inline. */
class KeyDocumentEntry extends KeyEntryBase {
  @IsString() publicKey!: string;
}

class TreatyEntry {
  @IsString() @MaxLength(100) id!: string;
  @IsString() @MaxLength(300) title!: string;
  @IsArray() @ArrayNotEmpty() @IsISO31661Alpha2({ each: true }) states!: string[];
  @IsOptional() @IsArray() @IsIn(PROCEDURES, { each: true }) procedures?: Procedure[];
}

class UrgentContactEntry {
  @IsIn(URGENT_CHANNELS) channel!: (typeof URGENT_CHANNELS)[number];
  @IsString() @MaxLength(200) address!: string;
}

/** What the authority is competent for (the finder reads it). */
class CompetenceEntry {
  @IsOptional() @IsArray() @IsIn(MEASURES, { each: true }) measures?: Measure[];
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  regions?: string[];
  @IsOptional()
  @IsArray()
  @Matches(/^[a-z][a-z0-9-]{1,60}$/, {
    each: true,
    message: 'offences must be lower-case identifiers such as trafficking-in-persons',
  })
  offences?: string[];
  @IsOptional()
  @IsArray()
  @Matches(/^[a-z]{2}$/, { each: true, message: 'languages must be ISO 639-1 codes such as en' })
  languages?: string[];
  @IsOptional()
  @ValidateNested()
  @Type(() => UrgentContactEntry)
  urgentContact?: UrgentContactEntry;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => TreatyEntry)
  treaties?: TreatyEntry[];
}

class AuthorityEntryBase {
  @Matches(AUTHORITY_ID_PATTERN, {
    message: 'id must look like FR-MOJ-BEPI (ISO 3166-1 alpha-2 prefix)',
  })
  id!: string;
  @IsISO31661Alpha2() state!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsIn(AUTHORITY_KINDS) kind!: AuthorityKind;
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  @ValidateBy({
    name: 'httpsEndpoint',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || endpointTransportAllowed(value),
      defaultMessage: () =>
        'endpoint must be https:// (plain http only on a loopback address, for local networks)',
    },
  })
  endpoint!: string;
  /** SHA-256 fingerprints of the node's TLS certificate or of a CA in its chain (hex). */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @Matches(TLS_PIN_PATTERN, {
    each: true,
    message: 'tlsPins must be SHA-256 fingerprints: 64 hex digits, colons allowed',
  })
  tlsPins?: string[];
  /**
   * The procedures the authority receives. An asylum authority may receive none: its node holds
   * the State's protected-persons register, which the State's other nodes consult.
   */
  @IsArray()
  @IsIn(PROCEDURES, { each: true })
  @ValidateBy({
    name: 'receivesProcedures',
    validator: {
      validate: (value: unknown, args) =>
        (args?.object as AuthorityEntryBase).kind === 'asylum-authority' ||
        (Array.isArray(value) && value.length > 0),
      defaultMessage: () =>
        'procedures must name at least one procedure (only an asylum authority may receive none)',
    },
  })
  procedures!: Procedure[];
  @IsOptional() @ValidateNested() @Type(() => CompetenceEntry) competence?: Competence;
}

/** One file per authority under the directory folder. */
class AuthorityFileSchema extends AuthorityEntryBase {
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => KeyFileEntry)
  keys!: KeyFileEntry[];
}

/** One authority in a signed directory document. */
class AuthorityDocumentSchema extends AuthorityEntryBase {
  @IsArray()
  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => KeyDocumentEntry)
  keys!: KeyDocumentEntry[];
}

/** An authority as a signed directory document carries it, and as its digest is computed. */
export interface AuthorityRecord {
  id: string;
  state: string;
  name: string;
  kind: AuthorityKind;
  endpoint: string;
  procedures: Procedure[];
  tlsPins?: string[];
  competence?: Competence;
  keys: Array<{
    fingerprint: string;
    publicKey: string;
    validFrom: string;
    validUntil?: string;
    revokedAt?: string;
    revocationReason?: RevocationReason;
  }>;
}

export function authorityRecord(authority: Authority): AuthorityRecord {
  const { id, state, name, kind, endpoint, procedures } = authority;
  return {
    id,
    state,
    name,
    kind,
    endpoint,
    procedures,
    ...(authority.tlsPins.length > 0 && { tlsPins: [...authority.tlsPins] }),
    ...(Object.keys(authority.competence).length > 0 && {
      competence: structuredClone(authority.competence),
    }),
    keys: authority.keys.map((key) => ({
      fingerprint: key.fingerprint,
      publicKey: key.publicKeyArmored,
      validFrom: key.validFrom.toISOString(),
      ...(key.validUntil && { validUntil: key.validUntil.toISOString() }),
      ...(key.revokedAt && { revokedAt: key.revokedAt.toISOString() }),
      ...(key.revocationReason && { revocationReason: key.revocationReason }),
    })),
  };
}

/** The same content gives the same digest, whether it came as a folder or as a signed document. */
function digestOf(authorities: Authority[]): string {
  return sha256Hex(canonicalJson(authorities.map(authorityRecord)));
}

/** An authority entry and where it came from, to name in problems. */
export interface EntrySource {
  file: string;
  document: unknown;
}

type KeyText = (source: EntrySource, key: KeyFileEntry | KeyDocumentEntry) => string | ErrorDetail;

/**
 * Validates authority entries, reporting every problem with its file and field, and builds the
 * directory. Several authorities may list the same keys: those hosted on one node (a hub) share it.
 */
export async function buildDirectory(
  sources: EntrySource[],
  form: 'folder' | 'document',
  where: string,
  version?: DirectoryVersion,
): Promise<AuthorityDirectory> {
  const problems: ErrorDetail[] = [];
  const authorities: Authority[] = [];
  const keyText: KeyText =
    form === 'folder'
      ? (source, key) => {
          const file = (key as KeyFileEntry).publicKeyFile;
          try {
            return readFileSync(resolve(dirname(source.file), file), 'utf8');
          } catch {
            return { message: `cannot read ${file}` };
          }
        }
      : (_source, key) => (key as KeyDocumentEntry).publicKey;
  for (const source of sources) {
    const report = (detail: ErrorDetail) => problems.push({ file: source.file, ...detail });
    const { document } = source;
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      report({ message: 'must hold one JSON object (one authority per file)' });
      continue;
    }
    const schema: new () => AuthorityFileSchema | AuthorityDocumentSchema =
      form === 'folder' ? AuthorityFileSchema : AuthorityDocumentSchema;
    const entry = plainToInstance(schema, document);
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
    const keys: DirectoryKey[] = [];
    for (const [index, key] of entry.keys.entries()) {
      const loaded = await readKeyEntry(key, keyText(source, key), `keys.${index}`, form, report);
      if (!loaded) continue;
      if (keys.some((known) => known.fingerprint === loaded.fingerprint)) {
        report({
          field: `keys.${index}.fingerprint`,
          message: `key ${loaded.fingerprint} is listed twice`,
        });
        continue;
      }
      keys.push(loaded);
    }
    if (keys.length === entry.keys.length) {
      const { id, state, name, kind, endpoint, procedures, tlsPins, competence } = entry;
      authorities.push(
        new Authority({ id, state, name, kind, endpoint, procedures, keys, tlsPins, competence }),
      );
    }
  }
  if (problems.length > 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `authority directory ${where} is invalid`,
      problems,
    );
  }
  return new AuthorityDirectory(authorities, digestOf(authorities), version);
}

async function readKeyEntry(
  entry: KeyFileEntry | KeyDocumentEntry,
  text: string | ErrorDetail,
  field: string,
  form: 'folder' | 'document',
  report: (detail: ErrorDetail) => void,
): Promise<DirectoryKey | undefined> {
  const keyField = form === 'folder' ? 'publicKeyFile' : 'publicKey';
  const validFrom = new Date(entry.validFrom);
  const validUntil = entry.validUntil ? new Date(entry.validUntil) : undefined;
  const revokedAt = entry.revokedAt ? new Date(entry.revokedAt) : undefined;
  let sound = true;
  const problem = (name: string, message: string) => {
    report({ field: `${field}.${name}`, message });
    sound = false;
  };
  if (validUntil && validUntil <= validFrom) problem('validUntil', 'must be after validFrom');
  if (revokedAt && !entry.revocationReason) {
    problem('revocationReason', `a revoked key needs one of ${REVOCATION_REASONS.join(', ')}`);
  }
  if (!revokedAt && entry.revocationReason) problem('revokedAt', 'a revocation needs its time');
  if (typeof text !== 'string') {
    problem(keyField, String(text.message));
    return undefined;
  }
  const shown = form === 'folder' ? (entry as KeyFileEntry).publicKeyFile : 'publicKey';
  let publicKey: Awaited<ReturnType<typeof readPublicKey>>;
  try {
    publicKey = await readPublicKey(text);
  } catch {
    problem(keyField, `${shown} is not an armored OpenPGP public key`);
    return undefined;
  }
  const actual = fingerprintOf(publicKey);
  if (actual !== entry.fingerprint) {
    problem('fingerprint', `does not match the public key (key has ${actual})`);
  }
  if (!sound) return undefined;
  return {
    fingerprint: actual,
    publicKeyArmored: text,
    publicKey,
    validFrom,
    validUntil,
    expiresAt: await keyExpiresAt(publicKey),
    revokedAt,
    revocationReason: entry.revocationReason,
  };
}

/**
 * The authority files of a directory folder: every `*.json`, in name order, each parsed or with
 * the reason it could not be.
 */
export function authorityFiles(folder: string): ConfigFile[] {
  const root = resolve(folder);
  const files = readJsonFolder(root);
  if (files === undefined) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `authority directory ${root} cannot be read`,
    );
  }
  return files;
}

/**
 * Reads and validates every `*.json` authority file in a folder. All problems are collected and
 * reported together, each naming its file and field, so that start-up fails once with a full list.
 */
export async function loadDirectory(folder: string): Promise<AuthorityDirectory> {
  const root = resolve(folder);
  const files = authorityFiles(root);
  if (files.length === 0) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `authority directory ${root} is invalid`,
      [{ file: root, message: 'no authority files (*.json) found' }],
    );
  }
  const unreadable: ErrorDetail[] = [];
  const sources: EntrySource[] = [];
  for (const file of files) {
    if (file.problem === undefined) sources.push({ file: file.path, document: file.document });
    else unreadable.push({ file: file.path, message: file.problem });
  }
  try {
    const directory = await buildDirectory(sources, 'folder', root);
    if (unreadable.length === 0) return directory;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    unreadable.push(...error.details);
  }
  throw new GatewayError(
    ErrorCode.CONFIGURATION_INVALID,
    `authority directory ${root} is invalid`,
    unreadable,
  );
}
