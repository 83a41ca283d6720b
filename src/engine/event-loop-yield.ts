// Lets the engine's thread take its messages between generation steps. onnxruntime-web's WASM run is synchronous
// and transformers.js chains runs with promises, so a whole answer would otherwise run as one task: a newer prompt
// (or a ping) sent meanwhile would wait for the answer's end, not for the step in flight, before it was even read.
// Written by hand: no library gives a plain macrotask yield; a nested setTimeout waits 4 ms, and scheduler.yield
// resumes ahead of tasks already queued, the very messages this is for.

/**
 * How long a run may keep the thread before it lets queued messages in. Each yield also lets the thread's pending
 * work run (chromium, the bench page, the embedded model's 32-token answer: yielding every 8 ms made it 5-7% slower,
 * every 32 ms under 1%), so a newer prompt waits at most this plus the step in flight.
 */
export const YIELD_EVERY_MS = 32;

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
