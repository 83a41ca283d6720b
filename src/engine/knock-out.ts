// The knock-out feeds: a model converted with head_mask / mlp_mask inputs needs them on every call
// (transformers.js refuses a run with a graph input missing), ones for the plain model; a model without
// them runs as before, and asking it to knock something out is an error the presenter can act on.
import { Tensor } from '@huggingface/transformers';
import { HEAD_MASK_INPUT, isKnockOutEmpty, knockOutMasks, knockOutOutOfRange, MLP_MASK_INPUT, type KnockOut } from '../trace/knock-out';
import type { LoadedModel } from './load-model';

/** A knock-out the model cannot do; its message is shown as is. */
export class KnockOutError extends Error {}

/** The model's graph takes the knock-out masks. */
export function hasKnockOutInputs(loaded: Pick<LoadedModel, 'model'>): boolean {
  const session = (loaded.model.sessions as Record<string, { inputNames: readonly string[] }> | undefined)?.model;
  return Boolean(session?.inputNames.includes(HEAD_MASK_INPUT) && session.inputNames.includes(MLP_MASK_INPUT));
}

/** The mask inputs for this run: none for a model without them, ones with zeros at the knocked-out parts otherwise. */
export function knockOutFeeds(loaded: Pick<LoadedModel, 'model' | 'info'>, knockOut: KnockOut | null | undefined): Record<string, Tensor> {
  const { nLayer, nHead } = loaded.info;
  if (!hasKnockOutInputs(loaded)) {
    if (isKnockOutEmpty(knockOut)) return {};
    throw new KnockOutError('This model was converted without the knock-out inputs: reconvert it (npm run convert -- --knock-out) to switch heads and MLPs off.');
  }
  const chosen = knockOut ?? { heads: [], mlps: [] };
  const outOfRange = knockOutOutOfRange(chosen, nLayer, nHead);
  if (outOfRange.length > 0) throw new KnockOutError(`The model has ${nLayer} layers of ${nHead} heads (counted from 0): it has no ${outOfRange.join(', ')}.`);
  const { headMask, mlpMask } = knockOutMasks(chosen, nLayer, nHead);
  return { [HEAD_MASK_INPUT]: new Tensor('float32', headMask, [nLayer, nHead]), [MLP_MASK_INPUT]: new Tensor('float32', mlpMask, [nLayer]) };
}
