// The model recipe in one place: tokenizer size, architecture, training hyper-parameters, paths.
// src/train/train.py reads the same values (written to build/model/recipe.json before training).
export const MODEL_NAME = 'sotu-gpt';

export const RECIPE = {
  name: MODEL_NAME,
  tokenizer: { vocabSize: 8192, endOfText: '<|endoftext|>' },
  model: { n_positions: 256, n_embd: 256, n_layer: 4, n_head: 4, dropout: 0.0 },
  training: {
    seed: 1234,
    batchSize: 16,
    steps: 1800,
    learningRate: 1.5e-3,
    minLearningRate: 1.5e-4,
    warmupSteps: 200,
    weightDecay: 0.1,
    gradClip: 1.0,
    evalEvery: 500,
    evalBatches: 40,
    torchThreads: 1,
  },
  paths: {
    work: 'build/model',
    corpus: 'build/corpus',
    output: `assets/models/${MODEL_NAME}`,
  },
};
