// The import rules of .dependency-cruiser.cjs (issue 11 item 5): they catch each kind of wrong import in a
// fixture tree, and the real tree (src/, slides/) breaks none of them.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImportRules, describeViolation } from '../../src/cli/import-rules';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = resolve(import.meta.dirname, '../fixtures/import-rule');

describe('import rules (dependency-cruiser)', () => {
  it('report every deliberately wrong import of the fixture, and nothing else', async () => {
    const { violations, modules } = await checkImportRules(FIXTURE, ['slides', 'src']);
    expect(modules).toBeGreaterThanOrEqual(10);
    const found = violations.map((v) => `${v.rule}: ${v.from} -> ${v.to}`).sort();
    expect(found).toEqual(
      [
        'engine-never-sees-views: src/engine/run-model.ts -> src/viz/view.ts',
        'only-the-cli-reaches-the-hub: src/deck/model-fetch.ts -> src/hub/hub-download.ts',
        'nothing-shipped-imports-tests: src/viz/view.ts -> tests/helper.ts',
        'slides-see-the-trace-not-the-engine: slides/wrong-slide.ts -> src/deck/prompt-bar.ts',
        'slides-see-the-trace-not-the-engine: slides/type-only-slide.ts -> src/engine/run-model.ts',
        'slides-see-the-trace-not-the-engine: slides/other-folder-slide.ts -> src/train/corpus.ts',
        'slides-see-the-trace-not-the-engine: slides/wrong-slide.ts -> src/engine/run-model.ts',
      ].sort(),
    );
  });

  it('find no violation in the real tree', async () => {
    const { violations, modules } = await checkImportRules(ROOT, ['src', 'slides']);
    expect(modules).toBeGreaterThan(150); // the tree was cruised, TypeScript imports resolved
    expect(violations.map(describeViolation)).toEqual([]);
  });
});
