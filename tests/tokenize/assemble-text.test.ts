import { describe, expect, it } from 'vitest';
import { assembleText, generatedPieces, isPartialPiece, trailingIncompleteBytes } from '../../src/tokenize/assemble-text';
import type { GenerationStep } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';

const step = (id: number, text: string): GenerationStep => ({ id, text, prob: 1, top5: [], ms: 1 });
const utf8 = (text: string) => Array.from(new TextEncoder().encode(text));

describe('assemble-text', () => {
  it('joins whole pieces to the same text as their texts joined', () => {
    const trace = makeTrace({ tokens: ['Hi', ' there'] });
    const pieces = generatedPieces(trace, [step(900, ' you'), step(901, ' 你好')]);
    expect(pieces.map((p) => p.bytes)).toEqual([utf8(' you'), utf8(' 你好')]);
    const text = assembleText(trace, pieces, true);
    expect(text).toEqual({ prompt: 'Hi there', continuation: ' you 你好', pendingBytes: 0 });
  });

  it('joins partial pieces through their bytes when the prompt tokens hold the same ids', () => {
    const emoji = utf8('👍'); // F0 9F 91 8D
    const trace = makeTrace({ tokens: [{ text: 'a' }, { text: '\ufffd', bytes: emoji.slice(0, 2), id: 300 }, { text: '\ufffd', bytes: emoji.slice(2), id: 301 }] });
    expect(assembleText(trace, [], true).prompt).toBe('a👍');
    const pieces = generatedPieces(trace, [step(300, '\ufffd'), step(301, '\ufffd')]);
    expect(pieces.every((p) => p.partial)).toBe(true);
    expect(assembleText(trace, pieces, true).continuation).toBe('👍');
    expect(assembleText(trace, pieces.slice(0, 1), false)).toMatchObject({ continuation: '', pendingBytes: 2 });
  });

  it('refuses to join when a partial piece has unknown bytes', () => {
    const trace = makeTrace({ tokens: ['a'] });
    const pieces = generatedPieces(trace, [step(5000, '\ufffd')]);
    expect(pieces[0].bytes).toBeNull();
    expect(assembleText(trace, pieces, true).continuation).toBeNull();
  });

  it('keeps the end-of-text token out of the text', () => {
    const trace = makeTrace({ tokens: ['a'] });
    const pieces = generatedPieces(trace, [step(7, ' b'), step(8191, '<|endoftext|>')]);
    expect(pieces[1]).toMatchObject({ endOfText: true, bytes: [] });
    expect(assembleText(trace, pieces, true).continuation).toBe(' b');
  });

  it('counts trailing bytes of an unfinished character', () => {
    expect(isPartialPiece('\ufffd')).toBe(true);
    expect(trailingIncompleteBytes([0x61])).toBe(0);
    expect(trailingIncompleteBytes([0xf0, 0x9f])).toBe(2);
    expect(trailingIncompleteBytes([0xf0, 0x9f, 0x91, 0x8d])).toBe(0);
    expect(trailingIncompleteBytes([0xe4])).toBe(1);
  });
});
