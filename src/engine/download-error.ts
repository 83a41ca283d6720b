// A model file the host answered with an error: said as an HTTP status and a URL, before transformers.js
// (which treats anything but a 404 from a local model path as the file) parses an error page as a model.
/** The status the host answered with and for which URL, or null when the answer is the file (or a 404, which transformers.js handles itself). */
export function downloadFailure(response: Pick<Response, 'ok' | 'status' | 'statusText'>, url: string): string | null {
  if (response.ok || response.status === 404) return null;
  const text = response.statusText ? ` ${response.statusText}` : '';
  return `the host answered HTTP ${response.status}${text} for ${url}; reload when the host is back, or check its logs`;
}
