export { AUTHORITY_ID_PATTERN, stateOfAuthorityId } from './authority-id.js';
export { canonicalDigest, canonicalJson, sha256Hex } from './canonical.js';
export { DATA_CATEGORIES, type DataCategory } from './categories.js';
export { PROCEDURES, type Procedure } from './procedures.js';
export {
  EU_JUDICIAL_COOPERATION_STATES,
  EU_MEMBER_STATES,
  MEASURES,
  MEASURES_BY_PROCEDURE,
  procedureOfMeasure,
  type Measure,
} from './measures.js';
export {
  isConfigObject,
  onlyKnownKeys,
  readJsonFolder,
  visitProfileFiles,
  type ConfigFields,
  type ConfigFile,
  type ConfigReport,
} from './config-files.js';
