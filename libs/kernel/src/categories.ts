/** The data categories every field of a payload is tagged with (domain.md section 4). */
export const DATA_CATEGORIES = [
  'identity',
  'location',
  'asylum-protection',
  'health',
  'child-status',
  'testimony-cooperation',
  'residence-status',
  'status-offences',
  'family',
  'assets',
  'intelligence',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];
