import { readFileSync } from 'node:fs';
import {
  loadDirectory,
  readSignedDirectory,
  readTrustAnchors,
  type AuthorityDirectory,
} from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { NodeConfig } from './node-config.js';

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new GatewayError(ErrorCode.CONFIGURATION_INVALID, `cannot read the ${what} ${file}`);
  }
}

/**
 * The directory this node works with: the signed document, verified against the directory
 * authority's key before anything in it is used, or a folder of authority files.
 */
export async function loadNodeDirectory(config: NodeConfig): Promise<AuthorityDirectory> {
  if (!config.directoryFile) return loadDirectory(config.directoryDir!);
  const anchors = await readTrustAnchors(
    read(config.directoryTrustAnchorFile!, 'directory trust anchor file'),
  );
  return readSignedDirectory(
    read(config.directoryFile, 'signed directory'),
    anchors,
    config.directoryFile,
  );
}
