// The trace switch's feeds for a converted model loaded by transformers.js: on for a traced forward call,
// off for generate() (which then also passes it to every step; see src/engine/trace-switch.ts); and the outputs
// with the per-layer stacks split.
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { feedThroughGenerate, traceSwitchFeeds } from '../../src/engine/trace-switch';
import { unstackOutputs } from '../../src/trace/stacked-layer-outputs';

export const traceOn = (model: PreTrainedModel) => traceSwitchFeeds({ model }, true);
export const traceOff = (model: PreTrainedModel) => feedThroughGenerate(model, traceSwitchFeeds({ model }, false));

/** A transformers.js forward call's outputs with the stacked per-layer trace outputs split back into their names. */
export const perLayer = (outputs: Record<string, Tensor>, nLayer: number) => unstackOutputs(outputs, nLayer, (source, data, dims) => new Tensor(source.type as 'float32', data, dims));
