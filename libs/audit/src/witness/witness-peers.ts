import type { Authority, AuthorityDirectory } from '#libs/directory';
import type { NodeIdentity } from '#libs/node-config';

/**
 * The nodes that witness this node's trail: every other node in the directory, each once (a hub's
 * authorities share one endpoint; it is addressed through the first of them).
 */
export function witnessPeers(directory: AuthorityDirectory, identity: NodeIdentity): Authority[] {
  const byEndpoint = new Map<string, Authority>();
  for (const authority of directory.all()) {
    if (identity.hosts(authority.id) || byEndpoint.has(authority.endpoint)) continue;
    byEndpoint.set(authority.endpoint, authority);
  }
  return [...byEndpoint.values()];
}
