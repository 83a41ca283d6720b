// GPT-2's byte-level alphabet: every byte 0..255 gets a printable character, so that a token is
// always a readable string (a space becomes "Ġ", a newline "Ċ") and no byte is ever unknown.
// Written by hand because it is a dozen lines; it mirrors GPT-2's `bytes_to_unicode`.

/** Bytes in GPT-2's vocabulary order: printable Latin-1 first, then the rest. */
export const BYTES_IN_VOCAB_ORDER: readonly number[] = (() => {
  const printable: number[] = [];
  const ranges: [number, number][] = [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ];
  for (const [first, last] of ranges) for (let b = first; b <= last; b++) printable.push(b);
  const rest: number[] = [];
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) rest.push(b);
  return [...printable, ...rest];
})();

/** byte -> its printable character */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const table = new Array<string>(256);
  let shifted = 0;
  for (const b of BYTES_IN_VOCAB_ORDER) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 256 + shifted++);
  }
  return table;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((ch, b) => [ch, b]));

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes of a string; lone surrogates become U+FFFD (EF BF BD), as in every UTF-8 encoder. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A string's UTF-8 bytes written in the byte-level alphabet. */
export function toByteLevel(text: string): string {
  let out = '';
  for (const b of utf8Bytes(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/** The bytes a byte-level token stands for. */
export function byteLevelToBytes(token: string): number[] {
  const bytes: number[] = [];
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) throw new Error(`not a byte-level character: ${JSON.stringify(ch)}`);
    bytes.push(b);
  }
  return bytes;
}

/** Decode a run of byte-level tokens back to text (invalid UTF-8 becomes U+FFFD). */
export function byteLevelToText(tokens: readonly string[]): string {
  return utf8Decoder.decode(Uint8Array.from(tokens.flatMap(byteLevelToBytes)));
}
