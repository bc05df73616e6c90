import { tusUpload as upload } from '#tools/local-network';
import { api } from './network.js';

/** A tus upload in one PATCH, with the token `signIn` holds for the node: the upload id. */
export const tusUpload = (
  base: string,
  content: Uint8Array,
  meta: { filename: string; filetype: string; category: string },
): Promise<string> => upload((path, init) => api(`${base}${path}`, init), content, meta);
