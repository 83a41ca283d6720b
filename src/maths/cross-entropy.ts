// The training loss of a prompt: cross-entropy of each next token, its mean, and perplexity.

/** loss_i = -log p(token i+1 | tokens 0..i), from the Trace's nextTokenLogProbs (natural log). */
export function tokenLosses(nextTokenLogProbs: readonly number[]): number[] {
  return nextTokenLogProbs.map((logProb) => -logProb);
}

/** The mean loss in nats, or null when there are no terms (a one-token prompt). */
export function meanLoss(nextTokenLogProbs: readonly number[]): number | null {
  if (nextTokenLogProbs.length === 0) return null;
  let sum = 0;
  for (const logProb of nextTokenLogProbs) sum -= logProb;
  return sum / nextTokenLogProbs.length;
}

/** exp(mean loss): how many equally likely tokens the model was, on average, choosing between. */
export function perplexity(nextTokenLogProbs: readonly number[]): number | null {
  const mean = meanLoss(nextTokenLogProbs);
  return mean === null ? null : Math.exp(mean);
}

/** Index (into nextTokenLogProbs) of the largest loss, first one on ties; -1 when there are none. */
export function highestLossIndex(nextTokenLogProbs: readonly number[]): number {
  let worst = -1;
  for (let i = 0; i < nextTokenLogProbs.length; i++) {
    if (worst < 0 || nextTokenLogProbs[i] < nextTokenLogProbs[worst]) worst = i;
  }
  return worst;
}
