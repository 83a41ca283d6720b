// Typed readers of a Trace for views: each returns the values a slide shows, or what is missing and why,
// so slides never index trace.tensors by hand nor re-derive what the engine could not compute.
import { EVERY_LENS_STAGE, logitLensStages } from './logit-lens';
import type { LogitLensRow, MissingPart, Trace } from './types';

export interface LogitLensReading {
  rows: LogitLensRow[];
  /** Stages without a row, each with what it needed and why; or the weights that stopped every stage. */
  missing: MissingPart[];
}

/**
 * The logit lens's rows and what is missing from it. A stage without a row takes the engine's recorded
 * reason (trace.extras.logitLensMissing); null when the Trace has no extras (the weights were unreadable).
 */
export function logitLensReading(trace: Trace): LogitLensReading | null {
  const extras = trace.extras;
  if (!extras) return null;
  const recorded = extras.logitLensMissing ?? [];
  const everyStage = recorded.filter((m) => m.part === EVERY_LENS_STAGE);
  if (everyStage.length > 0) return { rows: extras.logitLens, missing: everyStage };
  const shown = new Set(extras.logitLens.map((row) => row.label));
  const missing = logitLensStages(trace.model.nLayer)
    .filter((stage) => !shown.has(stage.label))
    .map((stage) => recorded.find((m) => m.part === stage.label) ?? { part: stage.label, needs: stage.output, reason: 'this Trace holds no row for it' });
  return { rows: extras.logitLens, missing };
}
