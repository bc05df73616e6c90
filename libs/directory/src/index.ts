export {
  AUTHORITY_KINDS,
  AuthorityDirectory,
  type Authority,
  type AuthorityKind,
} from './authority.js';
export { loadDirectory } from './load-directory.js';
