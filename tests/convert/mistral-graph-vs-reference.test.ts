// The converted Mistral graph (the Llama graph; a sliding window only where it covers the whole context) against
// the float64 reference, which applies the window as MistralAttention does.
import { describeAgainstReference } from './llama-family-reference';

describeAgainstReference('Mistral', [
  {
    label: 'explicit head_dim 8 (hidden 16 / 4 heads would be 4), GQA, sliding_window 64 = max_position_embeddings',
    options: { model_type: 'mistral', seed: 31, num_key_value_heads: 2, head_dim: 8, sliding_window: 64, max_position_embeddings: 64 },
    firstPosition: 0,
  },
  {
    label: 'sliding_window null, one key/value head, tied head, F16 file',
    options: { model_type: 'mistral', seed: 32, num_key_value_heads: 1, sliding_window: null, tied: true, dtype: 'F16' },
    firstPosition: 0,
  },
]);
