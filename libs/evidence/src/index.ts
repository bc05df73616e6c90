export {
  VERIFY_INSTRUCTIONS,
  writeEvidenceBundle,
  type EvidenceBundle,
} from './evidence-bundle.js';
export { EvidenceModule } from './evidence.module.js';
export { ExportEvidence } from './export-evidence.use-case.js';
