import { describe, expect, it } from 'vitest';
import { namedCause } from '../../src/engine/error-causes';

describe('namedCause', () => {
  it('names out-of-memory failures, with what to do', () => {
    for (const message of ['Aborted(OOM)', 'RangeError: Array buffer allocation failed', 'Cannot enlarge memory arrays to size 4294967296 bytes', "Failed to execute 'createBuffer' on 'GPUDevice': failed to allocate", 'std::bad_alloc']) {
      expect(namedCause(message), message).toBe(`out of memory (${message}): this browser cannot hold the model; try a smaller model or ?backend=wasm, or close other tabs and reload`);
    }
  });
  it("names the host's Content-Security-Policy", () => {
    const message = "EvalError: Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive";
    expect(namedCause(message)).toMatch(/^blocked by the host's Content-Security-Policy \(EvalError: .*\): the deck needs script-src 'self' 'wasm-unsafe-eval' and worker-src 'self' blob:/);
  });
  it('leaves every other message alone', () => {
    expect(namedCause('tokenizer_config.json was not found')).toBeNull();
    expect(namedCause("Can't create a session. ERROR_CODE: 7")).toBeNull();
  });
});
