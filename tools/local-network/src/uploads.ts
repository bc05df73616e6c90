/** What a tus upload needs of an HTTP client: the node's API with an officer's credential. */
export type ApiFetch = (
  path: string,
  init: RequestInit,
) => Promise<{ status: number; headers: Headers }>;

/** A tus upload in one PATCH: the upload id. */
export async function tusUpload(
  fetchApi: ApiFetch,
  content: Uint8Array,
  meta: { filename: string; filetype: string; category: string },
): Promise<string> {
  const metadata = Object.entries(meta)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
  const created = await fetchApi('/api/v1/uploads', {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(content.byteLength),
      'upload-metadata': metadata,
    },
  });
  if (created.status !== 201) throw new Error(`the upload was refused: ${created.status}`);
  const location = created.headers.get('location')!;
  const patched = await fetchApi(location, {
    method: 'PATCH',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body: content as BodyInit,
  });
  if (patched.status !== 204)
    throw new Error(`the upload's content was refused: ${patched.status}`);
  return location.split('/').pop()!;
}
