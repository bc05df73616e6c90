export {
  VERIFY_INSTRUCTIONS,
  writeAttachments,
  writeEvidenceBundle,
  type EvidenceAttachment,
  type EvidenceBundle,
} from './evidence-bundle.js';
export { EvidenceModule } from './evidence.module.js';
export { ExportEvidence } from './export-evidence.use-case.js';
