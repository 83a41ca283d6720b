// npm run lint:imports: the import rules of .dependency-cruiser.cjs on src/ and slides/; one line per
// violation and exit 1 when any rule is broken.
import { resolve } from 'node:path';
import { checkImportRules, describeViolation } from './import-rules';

const root = resolve(import.meta.dirname, '../..');
try {
  const { violations, modules } = await checkImportRules(root, ['src', 'slides']);
  for (const violation of violations) console.error(`import rule broken: ${describeViolation(violation)}`);
  console.log(`${modules} modules checked, ${violations.length} import rule violation${violations.length === 1 ? '' : 's'}.`);
  process.exitCode = violations.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`lint:imports could not run dependency-cruiser: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exitCode = 2;
}
