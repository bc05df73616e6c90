export { AccessModule, readTokenSecret } from './access.module.js';
export { ExternalIdentitySchema, NewAccountSchema, parseNewAccounts } from './account-schema.js';
export { Authenticate, TOKEN_SETTINGS } from './authenticate.use-case.js';
export {
  ConsoleSessions,
  CSRF_COOKIE,
  CSRF_HEADER,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  type OpenedSession,
  type ResolvedSession,
} from './console-sessions.js';
export {
  generateApiKey,
  hashApiKey,
  isApiKey,
  issueToken,
  tokenSettingsOf,
  verifyToken,
  type TokenSettings,
} from './credentials.js';
export { isGranted, PERMISSIONS, type Permission } from './permissions.js';
export {
  actorOf,
  evidenceScopeOf,
  inScope,
  OutOfScopeError,
  rowInScope,
  scopeOf,
  type AccessScope,
  type Principal,
} from './principal.js';
export { RoleGrants, type AccountChange, type RoleGrant } from './role-grants.js';
export { CASEWORK, needsApproval, ROLES, ROLES_NEEDING_APPROVAL, type Role } from './roles.js';
export {
  UserAccounts,
  type ApiKeyRevocation,
  type ApiKeyView,
  type NewAccount,
} from './user-accounts.repository.js';
