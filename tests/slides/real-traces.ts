// Real Traces from the embedded model (assets/models/sotu-gpt) run in Node, for slides that read
// trace.extras (weights and merges), which the synthetic fixture does not compute. Load once per file
// in a beforeAll: the model loads and runs in about a second.
import { loadModelInNode } from '../../src/cli/model-folder';
import { runTrace } from '../../src/engine/run-trace';
import type { Trace } from '../../src/trace';

export const REAL_PROMPTS = {
  ordinary: 'How do I bake chocolate chip cookies?',
  oneToken: 'x',
  hostile: '<script>alert("x")</script> <img src=x onerror=alert(1)> 👩‍👩‍👧 你好 مرحبا\n\tTab &amp;',
  // Past the 256-token window: the engine drops tokens from the left.
  long: 'The State of the Union is strong, and the Congress must act. '.repeat(30),
} as const;

export type RealTraces = Record<keyof typeof REAL_PROMPTS, Trace>;

export async function loadRealTraces(): Promise<RealTraces> {
  const loaded = await loadModelInNode('sotu-gpt');
  const traces: Partial<RealTraces> = {};
  for (const [name, prompt] of Object.entries(REAL_PROMPTS)) traces[name as keyof RealTraces] = await runTrace(loaded, prompt);
  return traces as RealTraces;
}
