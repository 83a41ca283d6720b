// Reading the soak's figures from a running deck through the Chrome DevTools Protocol: the page's and the
// engine worker's JS heaps after a garbage collection (Runtime.getHeapUsage per target; the page's also split
// by a heap snapshot into V8's optimised code and the rest), the page's DOM
// nodes and listeners (Memory.getDOMCounters), and the renderer processes' resident memory (ids from
// SystemInfo.getProcessInfo, sizes from /proc).
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { splitHeapSnapshot, type HeapSnapshot, type HeapSplit } from './heap-snapshot-split';
import type { SoakSample } from './soak-report';

interface HeapUsage {
  usedSize: number;
  totalSize: number;
}

export interface MemoryProbe {
  sample(edit: number): Promise<SoakSample>;
  close(): Promise<void>;
}

/**
 * A probe on `page`: one CDP session for the page, and the page's workers reached through it with
 * Target.sendMessageToTarget (playwright's CDPSession cannot address a child session; this older
 * non-flattened route can). `engineWorkerUrl` picks the deck's model worker among them.
 */
export async function memoryProbe(browser: Browser, page: Page, engineWorkerUrl: RegExp): Promise<MemoryProbe> {
  const cdp = await page.context().newCDPSession(page);
  const browserCdp = await browser.newBrowserCDPSession();
  const workers = new Map<string, string>(); // sessionId -> url
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (event) => {
    if (event.targetInfo.type === 'worker') workers.set(event.sessionId, event.targetInfo.url);
  });
  cdp.on('Target.detachedFromTarget', (event) => {
    if (event.sessionId) workers.delete(event.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.error ? null : message.result);
    pending.delete(message.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  /** A CDP call inside the worker's session; null when it did not answer within 10 s. */
  const inWorker = (sessionId: string, method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      setTimeout(() => {
        if (pending.delete(id)) resolve(null);
      }, 10_000);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => resolve(null));
    });

  const workerHeap = async (): Promise<number | null> => {
    const sessionId = [...workers].find(([, url]) => engineWorkerUrl.test(url))?.[0];
    if (sessionId === undefined) return null;
    await inWorker(sessionId, 'HeapProfiler.collectGarbage');
    const usage = (await inWorker(sessionId, 'Runtime.getHeapUsage')) as HeapUsage | null;
    return usage?.usedSize ?? null;
  };

  /** The renderer processes' resident memory: their ids from the browser (SystemInfo.getProcessInfo), their RSS from /proc. */
  const rendererMemory = async (): Promise<number | null> => {
    const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
    return residentMemory(processInfo.filter((process) => process.type === 'renderer').map((process) => process.id));
  };

  /** A heap snapshot of the page, split into optimised code, all compiled code and objects (src/browser/heap-snapshot-split.ts). */
  const heapSplit = async (): Promise<HeapSplit | null> => {
    const chunks: string[] = [];
    const onChunk = (event: { chunk: string }) => void chunks.push(event.chunk);
    cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
    try {
      await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    } catch {
      return null;
    } finally {
      cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    }
    return splitHeapSnapshot(JSON.parse(chunks.join('')) as HeapSnapshot);
  };

  return {
    async sample(edit) {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage'); // twice: the first may leave what weak references kept
      const page = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage;
      const counters = await cdp.send('Memory.getDOMCounters');
      const split = await heapSplit();
      return {
        edit,
        pageHeap: page.usedSize,
        pageOptimised: split?.optimised ?? null,
        optimisedFunctions: split?.optimisedCount ?? null,
        pageRest: split ? page.usedSize - split.optimised : null,
        pageObjects: split?.objects ?? null,
        workerHeap: await workerHeap(),
        domNodes: counters.nodes,
        listeners: counters.jsEventListeners,
        rendererMemory: await rendererMemory(),
      };
    },
    async close() {
      await cdp.detach().catch(() => undefined);
      await browserCdp.detach().catch(() => undefined);
    },
  };
}

/** Resident memory (VmRSS) of the processes with these ids, summed; null where /proc cannot say (not Linux). */
export function residentMemory(pids: readonly number[]): number | null {
  let total = 0;
  let found = false;
  for (const pid of pids) {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (rss === undefined) continue;
      total += Number(rss) * 1024;
      found = true;
    } catch {
      // the process ended, or there is no /proc
    }
  }
  return found ? total : null;
}
