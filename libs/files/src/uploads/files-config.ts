import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import {
  checkSetting,
  isSet,
  readSetting,
  settingOf,
  type Setting,
  type SettingName,
} from '#libs/node-config';

type Env = Record<string, string | undefined>;

/** Where evidence files are kept and how much of them: the GATEWAY_FILES_* variables. */
export interface FilesConfig {
  /** Folder of this node's files (GATEWAY_FILES_DIR, default var/files), one sub-folder per schema. */
  dir: string;
  /** Largest file accepted (GATEWAY_FILES_MAX_BYTES, default 4 GiB). */
  maxFileBytes: number;
  /** Bytes of uploads one authority may hold at once (GATEWAY_FILES_QUOTA_BYTES, default 64 GiB). */
  quotaBytes: number;
  /** Free space kept on the file system beyond every accepted upload (GATEWAY_FILES_MIN_FREE_BYTES, 1 GiB). */
  minFreeBytes: number;
  /** Uploads not attached to a message within this time are deleted (GATEWAY_FILES_UNATTACHED_TTL_MS, 24 h). */
  unattachedTtlMs: number;
  /** How often the expiry sweep runs (GATEWAY_FILES_SWEEP_INTERVAL_MS, 1 min). */
  sweepIntervalMs: number;
  /** Plaintext bytes per sealed chunk of a file sent with a message (GATEWAY_FILES_CHUNK_BYTES, 8 MiB). */
  chunkBytes: number;
}

/** The numbers of FilesConfig and their settings (types and defaults in the node's settings). */
const NUMBERS: Array<[keyof FilesConfig, SettingName]> = [
  ['maxFileBytes', 'GATEWAY_FILES_MAX_BYTES'],
  ['quotaBytes', 'GATEWAY_FILES_QUOTA_BYTES'],
  ['minFreeBytes', 'GATEWAY_FILES_MIN_FREE_BYTES'],
  ['unattachedTtlMs', 'GATEWAY_FILES_UNATTACHED_TTL_MS'],
  ['sweepIntervalMs', 'GATEWAY_FILES_SWEEP_INTERVAL_MS'],
  ['chunkBytes', 'GATEWAY_FILES_CHUNK_BYTES'],
];

export function loadFilesConfig(schema: string, env: Env = process.env): FilesConfig {
  const problems: ErrorDetail[] = [];
  const config = { dir: resolve(readSetting('GATEWAY_FILES_DIR', env)!, schema) } as FilesConfig;
  for (const [field, variable] of NUMBERS) {
    const setting = settingOf(variable) as Setting;
    const checked = isSet(setting, env)
      ? checkSetting(setting, setting.type.fromEnv(env[variable]!))
      : checkSetting(setting, setting.fallback);
    if (checked.ok) (config as unknown as Record<string, unknown>)[field] = checked.value;
    else problems.push(...checked.problems);
  }
  if (problems.length > 0) {
    throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, 'file settings are invalid', problems);
  }
  return config;
}

/** Bytes free for this process on the file system holding `dir` (injectable in tests). */
export type FreeSpace = (dir: string) => Promise<number>;

export const systemFreeSpace: FreeSpace = async (dir) => {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
};
