// Which parts of the model are switched off for a run, written as the URL and the CLI write it:
// "2.3,mlp1" = layer 2's head 3 and layer 1's MLP (0-based, as the slides count).
// The engine turns this into the graph's head_mask and mlp_mask inputs.

/** The graph inputs a converted model takes them through (src/convert/knock-out-graph.ts). */
export const HEAD_MASK_INPUT = 'head_mask';
export const MLP_MASK_INPUT = 'mlp_mask';
/** config.json's record that a model folder's graph has those inputs (npm run convert -- --knock-out, reconvert-model.ts --knock-out): later reconversions keep them. */
export const KNOCK_OUT_CONFIG_KEY = 'knock_out_inputs';

export interface KnockOut {
  /** Heads whose context vector is zeroed before the output projection. */
  heads: { layer: number; head: number }[];
  /** Layers whose MLP adds nothing to the residual stream. */
  mlps: number[];
}

export const NO_KNOCK_OUT: KnockOut = { heads: [], mlps: [] };

export function isKnockOutEmpty(knockOut: KnockOut | null | undefined): boolean {
  return !knockOut || (knockOut.heads.length === 0 && knockOut.mlps.length === 0);
}

/** "2.3,mlp1" -> the heads and MLPs, sorted, each once; a part that is not "L.H" or "mlpL" is an error naming it. */
export function parseKnockOut(text: string): KnockOut {
  const heads = new Map<string, { layer: number; head: number }>();
  const mlps = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const head = /^(\d+)\.(\d+)$/.exec(part);
    const mlp = /^mlp(\d+)$/i.exec(part);
    if (head) heads.set(part, { layer: Number(head[1]), head: Number(head[2]) });
    else if (mlp) mlps.add(Number(mlp[1]));
    else throw new Error(`"${part}" is not a part to knock out: write a head as layer.head (2.3) or an MLP as mlp1`);
  }
  return {
    heads: [...heads.values()].sort((a, b) => a.layer - b.layer || a.head - b.head),
    mlps: [...mlps].sort((a, b) => a - b),
  };
}

/** The inverse of parseKnockOut: "2.3,mlp1" (heads first, then MLPs). */
export function formatKnockOut(knockOut: KnockOut): string {
  return [...knockOut.heads.map(({ layer, head }) => `${layer}.${head}`), ...knockOut.mlps.map((layer) => `mlp${layer}`)].join(',');
}

/** Parts the model does not have (layer or head out of range), named as written. */
export function knockOutOutOfRange(knockOut: KnockOut, nLayer: number, nHead: number): string[] {
  return [
    ...knockOut.heads.filter(({ layer, head }) => layer >= nLayer || head >= nHead).map(({ layer, head }) => `${layer}.${head}`),
    ...knockOut.mlps.filter((layer) => layer >= nLayer).map((layer) => `mlp${layer}`),
  ];
}

/** Adds the part if absent, removes it if present: a click on a head or an MLP. */
export function toggleKnockOut(knockOut: KnockOut, part: { layer: number; head: number | null }): KnockOut {
  if (part.head === null) {
    const has = knockOut.mlps.includes(part.layer);
    return { heads: knockOut.heads, mlps: has ? knockOut.mlps.filter((l) => l !== part.layer) : [...knockOut.mlps, part.layer].sort((a, b) => a - b) };
  }
  const has = knockOut.heads.some((h) => h.layer === part.layer && h.head === part.head);
  const heads = has
    ? knockOut.heads.filter((h) => !(h.layer === part.layer && h.head === part.head))
    : [...knockOut.heads, { layer: part.layer, head: part.head }].sort((a, b) => a.layer - b.layer || a.head - b.head);
  return { heads, mlps: knockOut.mlps };
}

/** head_mask [layers × heads] and mlp_mask [layers]: ones, zeros where knocked out. */
export function knockOutMasks(knockOut: KnockOut, nLayer: number, nHead: number): { headMask: Float32Array; mlpMask: Float32Array } {
  const headMask = new Float32Array(nLayer * nHead).fill(1);
  const mlpMask = new Float32Array(nLayer).fill(1);
  for (const { layer, head } of knockOut.heads) if (layer < nLayer && head < nHead) headMask[layer * nHead + head] = 0;
  for (const layer of knockOut.mlps) if (layer < nLayer) mlpMask[layer] = 0;
  return { headMask, mlpMask };
}
