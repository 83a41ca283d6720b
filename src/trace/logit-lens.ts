// The logit lens's stages, part of the Trace's contract: which residual outputs the engine reads for each row,
// and which layers a deep model's lens covers. The engine computes the rows from these; slides name them.
import { spreadIndices } from '../maths/spread-indices';
import { embedOutputs, layerOutput } from './output-names';

/** At most this many layers get a logit-lens row (a deep model's are spread evenly); more would not fit a slide. */
export const LOGIT_LENS_MAX_LAYERS = 10;
/** Candidates per logit-lens row: what the slide shows. */
export const LOGIT_LENS_TOP = 5;

/** The layers the logit lens shows: all of them, or LOGIT_LENS_MAX_LAYERS spread evenly, the last always included. */
export function logitLensLayers(nLayer: number): number[] {
  return spreadIndices(nLayer, LOGIT_LENS_MAX_LAYERS);
}

export interface LogitLensStage {
  /** The row's label: "embeddings", then "layer 1" ... "layer N" (after each block). */
  label: string;
  /** The residual-stream output the row reads. */
  output: string;
}

/** The stages of a model with `nLayer` layers, in order: the embeddings, then after each shown layer. */
export function logitLensStages(nLayer: number): LogitLensStage[] {
  const stages: LogitLensStage[] = [{ label: 'embeddings', output: embedOutputs.sum }];
  for (const layer of logitLensLayers(nLayer)) stages.push({ label: `layer ${layer + 1}`, output: layerOutput(layer, 'resid.after_mlp') });
  return stages;
}

/** The `part` of a MissingPart that stops every stage (a weight the lens's head or final norm needs). */
export const EVERY_LENS_STAGE = 'every stage';
