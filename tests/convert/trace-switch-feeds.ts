// The trace switch's feeds for a converted model loaded by transformers.js: on for a traced forward call,
// off for generate() (which then also passes it to every step; see src/engine/trace-switch.ts).
import type { PreTrainedModel } from '@huggingface/transformers';
import { feedThroughGenerate, traceSwitchFeeds } from '../../src/engine/trace-switch';

export const traceOn = (model: PreTrainedModel) => traceSwitchFeeds({ model }, true);
export const traceOff = (model: PreTrainedModel) => feedThroughGenerate(model, traceSwitchFeeds({ model }, false));
