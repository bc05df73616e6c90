export { AUTHORITY_ID_PATTERN, stateOfAuthorityId } from './authority-id.js';
export { canonicalDigest, canonicalJson, sha256Hex } from './canonical.js';
export { DATA_CATEGORIES, type DataCategory } from './categories.js';
export { PROCEDURES, type Procedure } from './procedures.js';
