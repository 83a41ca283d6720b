// The deck's slides, in order: the journey from a keypress to the answer. Each module is a pure
// view of the Trace (see slide.ts); the file's number is its place in the deck (a letter after it,
// 01b, slots a slide in without renumbering the rest).
import titleSlide from './01-title';
import chatTemplateSlide from './01b-chat-template';
import textEncodingSlide from './02-text-encoding';
import tokenizationSlide from './03-tokenization';
import bpeTrainingSlide from './04-bpe-training';
import bpeMergesSlide from './05-bpe-merges';
import tokenIdsSlide from './06-token-ids';
import embeddingsSlide from './07-embeddings';
import embeddingSpaceSlide from './08-embedding-space';
import positionsSlide from './09-positions';
import transformerTowerSlide from './10-transformer-tower';
import attentionSlide from './11-attention';
import qkvSlide from './12-qkv';
import scaledDotProductSlide from './13-scaled-dot-product';
import multiHeadSlide from './14-multi-head';
import feedForwardSlide from './15-feed-forward';
import residualLayernormSlide from './16-residual-layernorm';
import logitLensSlide from './17-logit-lens';
import lmHeadSlide from './18-lm-head';
import nextTokenSlide from './19-next-token';
import whoVotedSlide from './19b-who-voted';
import samplingSlide from './20-sampling';
import generationSlide from './21-generation';
import kvCacheSlide from './22-kv-cache';
import detokenizationSlide from './23-detokenization';
import trainingLossSlide from './24-training-loss';
import fineTuningSlide from './25-fine-tuning';
import pipelineSlide from './26-pipeline';
import completeResponseSlide from './27-complete-response';
import type { SlideModule } from './slide';

export const deckSlides: readonly SlideModule[] = [
  titleSlide,
  chatTemplateSlide,
  textEncodingSlide,
  tokenizationSlide,
  bpeTrainingSlide,
  bpeMergesSlide,
  tokenIdsSlide,
  embeddingsSlide,
  embeddingSpaceSlide,
  positionsSlide,
  transformerTowerSlide,
  attentionSlide,
  qkvSlide,
  scaledDotProductSlide,
  multiHeadSlide,
  feedForwardSlide,
  residualLayernormSlide,
  logitLensSlide,
  lmHeadSlide,
  nextTokenSlide,
  whoVotedSlide,
  samplingSlide,
  generationSlide,
  kvCacheSlide,
  detokenizationSlide,
  trainingLossSlide,
  fineTuningSlide,
  pipelineSlide,
  completeResponseSlide,
];
