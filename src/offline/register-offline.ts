// Registers the deck's service worker (service-worker.ts), so that a deck opened once online opens
// and runs its model again with the host unreachable. The deck awaits this before it starts the
// model worker, which then fetches the model through the service worker (and so into its cache).
// It never blocks the deck for long and never throws: without offline support the deck works as before.
import { deckUrl } from '../deck/asset-urls';
import { isSpeakerPreview } from '../deck/deck-channel';

/** The service worker's file under the deck's base: set by the build (vite-plugin.ts), unset in dev. */
const SERVICE_WORKER_FILE: string | undefined = import.meta.env.DECK_SERVICE_WORKER;
/** A slow or broken service worker delays the deck's start by no more than this. */
const TIMEOUT_MS = 3000;

export async function startOfflineSupport(): Promise<void> {
  // Dev builds no service worker; plain http other than localhost has no navigator.serviceWorker;
  // file:// cannot register one; a speaker-view preview runs no model (and is controlled anyway).
  if (!SERVICE_WORKER_FILE || !('serviceWorker' in navigator) || !/^https?:$/.test(window.location.protocol)) return;
  if (isSpeakerPreview(window.location.search)) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), TIMEOUT_MS)));
  try {
    const outcome = await Promise.race([controlledByNewestBuild(navigator.serviceWorker, SERVICE_WORKER_FILE), timedOut]);
    if (outcome === 'timed out') console.warn(`offline support: the service worker was not ready after ${TIMEOUT_MS} ms; the deck starts without waiting`);
  } catch (error) {
    console.warn('offline support is unavailable: the deck works, but only online', error);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once this page is controlled by the service worker of the build the host serves now. */
async function controlledByNewestBuild(container: ServiceWorkerContainer, serviceWorkerFile: string): Promise<void> {
  // Listening before registering: the first registration may claim the page before register() resolves.
  const controllerChanged = new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
  const registration = await container.register(deckUrl(serviceWorkerFile), { scope: deckUrl('') });
  if (container.controller) {
    try {
      await registration.update(); // a new build on the host: let its worker (and cache) take over before the model loads
    } catch {
      return; // host unreachable: the worker we have serves the cached deck
    }
  }
  // A worker on its way (first visit, or a new build) claims the page when it activates; with none,
  // an uncontrolled page (a hard reload) has nothing to wait for.
  if (registration.installing || registration.waiting || registration.active?.state === 'activating') await controllerChanged;
}
