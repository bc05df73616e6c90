import type { MessageTypeOf } from '../catalogue.js';

export const NV = 'nationality-verification';
export const ref = (name: string) => ({ name, sha256: 'c'.repeat(64) });

export const person = {
  names: { givenNames: ['Elira'], familyNames: ['Berisha'] },
  sex: 'female',
  dateOfBirth: '1999-02-11',
  placeOfBirth: 'Shkodër',
  nationalities: ['AL'],
  documents: [{ kind: 'national-id', number: 'I123', issuingState: 'AL', copy: ref('id.jpg') }],
};

export const request = {
  person,
  photographReference: ref('photo.jpg'),
  agreementId: 'EU-AL-2005',
  accelerated: false,
};

/** A valid body of every nationality-verification message type: tests start from these and vary them. */
export const VALID_BODIES: Record<MessageTypeOf<typeof NV>, Record<string, unknown>> = {
  'verification-request': request,
  'verification-answer': { outcome: 'national', registryReference: 'AL-REG-99' },
  'travel-document-request': {
    documentType: 'emergency-travel-document',
    photographReference: ref('p.jpg'),
  },
  'travel-document-issued': {
    documentType: 'emergency-travel-document',
    documentNumber: 'ETD-445',
    issuedOn: '2026-04-01',
    validUntil: '2026-05-01',
  },
  withdrawal: { withdrawnAt: '2026-04-02T08:00:00Z' },
};
