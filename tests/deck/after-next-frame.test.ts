// afterNextFrameOrSoon: the previews' Trace waits for the presenter window's next frame, but a hidden window makes
// none, so it must not wait for ever: at once when hidden, after FRAME_WAIT_MS when no frame comes, and only once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { afterNextFrameOrSoon, FRAME_WAIT_MS } from '../../src/deck/render-slides';

const frames: FrameRequestCallback[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  frames.length = 0;
  vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => frames.push(callback));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('afterNextFrameOrSoon', () => {
  it('calls back after the next frame, once', () => {
    const callback = vi.fn();
    afterNextFrameOrSoon(callback);
    vi.advanceTimersByTime(5);
    expect(callback).not.toHaveBeenCalled(); // no frame yet
    frames.shift()!(0);
    vi.advanceTimersByTime(0);
    expect(callback).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(FRAME_WAIT_MS);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('calls back after FRAME_WAIT_MS when no frame comes', () => {
    const callback = vi.fn();
    afterNextFrameOrSoon(callback);
    vi.advanceTimersByTime(FRAME_WAIT_MS - 1);
    expect(callback).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('calls back at once in a hidden page', () => {
    vi.stubGlobal('document', { hidden: true });
    const callback = vi.fn();
    afterNextFrameOrSoon(callback);
    vi.advanceTimersByTime(0);
    expect(callback).toHaveBeenCalledTimes(1);
  });
});
