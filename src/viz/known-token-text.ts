// Decoded texts of vocabulary ids, from everything a Trace carries (prompt tokens, top-k, the weight
// extras). An id the Trace never decoded has no text here: views show it as "id 1234", never a guess.
import type { Trace } from '../trace';

export function knownTokenTexts(trace: Trace): Map<number, string> {
  const texts = new Map<number, string>();
  const add = (id: number, text: string) => {
    if (!texts.has(id)) texts.set(id, text);
  };
  for (const token of trace.tokens) add(token.id, token.text);
  for (const candidate of trace.topk) add(candidate.id, candidate.token);
  for (const [id, text] of Object.entries(trace.candidateTexts ?? {})) add(Number(id), text);
  const extras = trace.extras;
  if (extras) {
    for (const row of extras.logitLens) for (const candidate of row.top) add(candidate.id, candidate.token);
    for (const point of extras.embeddingSpace.points) add(point.id, point.word);
    for (const neighbour of extras.analogy.neighbours) add(neighbour.id, neighbour.token);
    extras.analogy.ids.forEach((ids, word) =>
      ids.forEach((id, i) => {
        const text = extras.analogy.tokenTexts[word]?.[i];
        if (text !== undefined) add(id, text);
      }),
    );
  }
  return texts;
}
