// A random id for a presenter window or a preview. Not crypto.randomUUID(): browsers give it only to secure contexts,
// and a deck served over plain http to another machine (a venue's network, a LAN address) is not one;
// getRandomValues works everywhere.
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
