// Runs the project's import rules (.dependency-cruiser.cjs) through dependency-cruiser's API on a source tree.
// The API rather than the `depcruise` command: dependency-cruiser 18's command refuses Node 20, which this
// project runs on, while its API works there. Shared by `npm run lint:imports` and tests/imports/.
import { resolve } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/** The project root: where .dependency-cruiser.cjs and tsconfig.json live. */
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface ImportViolation {
  rule: string;
  from: string;
  to: string;
}

export interface ImportCheck {
  violations: ImportViolation[];
  /** Modules cruised: a check that cruised nothing would pass vacuously. */
  modules: number;
}

/** The rules checked on `roots` (folders under `baseDir`), with module paths relative to `baseDir`. */
export async function checkImportRules(baseDir: string, roots: string[]): Promise<ImportCheck> {
  const options = await extractDepcruiseOptions(resolve(PROJECT_ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(resolve(PROJECT_ROOT, 'tsconfig.json'));
  const { output } = await cruise(roots, { ...options, baseDir, validate: true, outputType: 'json' }, {}, { tsConfig });
  const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
  return {
    violations: result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
    modules: result.modules.length,
  };
}

export function describeViolation(v: ImportViolation): string {
  return `${v.from} → ${v.to} (rule ${v.rule})`;
}
