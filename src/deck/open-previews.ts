// Which speaker-view previews are open, as the presenter's window hears it: each preview says hello with its own id
// when it starts and bye when its page goes (the speaker view closed). Ids, not a count: a preview that says hello
// twice (a page restored from the back-forward cache) is still one. A preview that dies without a bye stays counted,
// which costs what it did before previews said bye: Traces cloned for nobody, the lens computed early.
import type { DeckChannel } from './deck-channel';

export interface OpenPreviews {
  /** Some preview has said hello and not bye. */
  readonly open: boolean;
  /** Called when `open` changes. */
  onChange(listener: () => void): void;
}

export function trackOpenPreviews(channel: DeckChannel): OpenPreviews {
  const previews = new Set<string>();
  const listeners: (() => void)[] = [];
  channel.onMessage((message) => {
    if (message.type !== 'hello' && message.type !== 'bye') return;
    const wasOpen = previews.size > 0;
    if (message.type === 'hello') previews.add(message.preview);
    else previews.delete(message.preview);
    if (wasOpen !== previews.size > 0) for (const listener of listeners) listener();
  });
  return {
    get open() {
      return previews.size > 0;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
