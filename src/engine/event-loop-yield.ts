// Lets the engine's thread take its messages between generation steps. onnxruntime-web's WASM run is synchronous
// and transformers.js chains runs with promises, so a whole answer would otherwise run as one task: a newer prompt
// (or a ping) sent meanwhile would wait for the answer's end, not for the step in flight, before it was even read.
// Written by hand: no library gives a macrotask yield that neither clamps (a nested setTimeout waits 4 ms) nor
// needs a scheduler the worker may lack (scheduler.yield).

/** How long a run may keep the thread before it lets queued messages in: a step of a small model is ~1 ms. */
export const YIELD_EVERY_MS = 8;

/** A macrotask: setImmediate in Node, a MessageChannel message in browsers and workers (no clamping). */
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

let lastYield = -Infinity;

/** Yields to the event loop when the thread has been held `YIELD_EVERY_MS` or more since the last yield here. */
export async function yieldWhenDue(now = performance.now()): Promise<boolean> {
  if (now - lastYield < YIELD_EVERY_MS) return false;
  await nextTask();
  lastYield = performance.now();
  return true;
}
