// A piece in GPT-2's byte-level alphabet ("Ġbake", "Ċ", "ð") as the audience should read it:
// its decoded text with whitespace marks (␣ ↵), or its bytes in hex when it is part of a character.
import { byteLevelToBytes, byteLevelToText } from '../tokenize/byte-level';
import { tokenChip, tokenDisplayText, type ChipOptions, type ChipToken } from './token-chip';

/** The piece as a chip token; a character outside the byte-level alphabet is shown as itself (never throws). */
export function pieceToken(piece: string): ChipToken {
  try {
    return { text: byteLevelToText([piece]), bytes: byteLevelToBytes(piece) };
  } catch {
    return { text: piece };
  }
}

/** "␣bake", "↵", "⟨F0 9F⟩": one string for notes, captions and SVG labels. */
export function pieceDisplayText(piece: string): string {
  return tokenDisplayText(pieceToken(piece));
}

/** A neutral chip for a byte-level piece. */
export function pieceChip(piece: string, options: ChipOptions = {}): HTMLSpanElement {
  return tokenChip(pieceToken(piece), { coloured: false, ...options });
}
