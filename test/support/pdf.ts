// One implementation, shared with the demo's generated documents.
export { minimalPdf } from '#tools/local-network';
