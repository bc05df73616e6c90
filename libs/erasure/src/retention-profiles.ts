import { resolve } from 'node:path';
import { readSetting } from '#libs/node-config';
import { settledStatusesOf } from '#libs/procedures';
import { loadRetentionProfiles, type LoadedRetention } from '#libs/retention';

export const RETENTION = Symbol('RETENTION');

/** config/retention (or GATEWAY_RETENTION_DIR), each closed status checked against its procedure. */
export function loadNodeRetention(
  folder: string = readSetting('GATEWAY_RETENTION_DIR')!,
): LoadedRetention {
  return loadRetentionProfiles(resolve(folder), settledStatusesOf);
}
