// Detokenization: ids -> pieces -> bytes -> text. A token may hold only part of a character, so the
// text is decoded from the joined bytes, never by gluing each token's own decoding together.
import type { GenerationStep, Trace } from '../trace';
import { isEndOfText } from '../maths/generation-summary';
import { utf8Bytes } from './byte-level';

const REPLACEMENT_CHARACTER = '\ufffd';

/** A token that decodes to "�" on its own holds part of a multi-byte character (or is one). */
export function isPartialPiece(text: string): boolean {
  return text.includes(REPLACEMENT_CHARACTER);
}

export interface GeneratedPiece {
  id: number;
  text: string;
  partial: boolean;
  /** The end-of-text token: a control token with no bytes, not part of the text. */
  endOfText: boolean;
  /** UTF-8 bytes: of the text for a whole piece; for a partial one the engine's bytes, or the prompt token's with the same id. */
  bytes: number[] | null;
}

/** Bytes of ids the Trace knows exactly (its prompt tokens carry `bytes`). */
function knownBytesById(trace: Trace): Map<number, number[]> {
  const known = new Map<number, number[]>();
  for (const token of trace.tokens) if (token.bytes.length > 0) known.set(token.id, token.bytes);
  return known;
}

export function generatedPieces(trace: Trace, steps: readonly GenerationStep[]): GeneratedPiece[] {
  const known = knownBytesById(trace);
  return steps.map((step) => {
    const endOfText = isEndOfText(step.text);
    const partial = isPartialPiece(step.text);
    const bytes = endOfText ? [] : partial ? (step.bytes ?? known.get(step.id) ?? null) : Array.from(utf8Bytes(step.text));
    return { id: step.id, text: step.text, partial, endOfText, bytes };
  });
}

export interface AssembledText {
  /** The prompt as the model saw it, decoded from its tokens' bytes (without a trailing partial character). */
  prompt: string;
  /** The continuation decoded from its bytes, or null when a partial piece's bytes are unknown. */
  continuation: string | null;
  /** Bytes at the end still waiting for the rest of their character (a run still streaming). */
  pendingBytes: number;
}

/**
 * One streaming UTF-8 decoder over the prompt's bytes then the continuation's: a character split
 * across the boundary lands in the continuation, whole. `finished` false keeps a trailing partial
 * character pending instead of turning it into "�".
 */
export function assembleText(trace: Trace, pieces: readonly GeneratedPiece[], finished: boolean): AssembledText {
  const decoder = new TextDecoder('utf-8');
  const promptBytes = trace.tokens.flatMap((token) => token.bytes);
  const prompt = decoder.decode(Uint8Array.from(promptBytes), { stream: true });
  if (pieces.some((piece) => piece.bytes === null)) return { prompt, continuation: null, pendingBytes: 0 };
  const continuationBytes = Uint8Array.from(pieces.flatMap((piece) => piece.bytes ?? []));
  const continuation = decoder.decode(continuationBytes, { stream: !finished });
  return { prompt, continuation, pendingBytes: finished ? 0 : trailingIncompleteBytes([...promptBytes, ...continuationBytes]) };
}

/** How many bytes at the end start a UTF-8 character that is not complete yet (0 to 3).
 * Written by hand: TextDecoder holds such bytes back in streaming mode but does not say how many. */
export function trailingIncompleteBytes(bytes: readonly number[]): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
