// The Web Worker of test/browser.test.mjs: the package in a module worker, with the
// IndexedDB store (a worker has no localStorage).
import { Shelf, indexedDBStore, simdSupported } from '../../src/index.js';
import { runScenario } from './scenario.mjs';

self.onmessage = async ({ data: { model } }) => {
  try {
    const simd = await runScenario(Shelf, { model, simd: true });
    const scalar = await runScenario(Shelf, { model, simd: false });

    // State kept in IndexedDB survives the session that wrote it.
    const shelf = await Shelf.load({ model });
    const store = indexedDBStore({ database: 'shelf-worker-test' });
    const first = shelf.session({ consent: true, store });
    await first.ready;
    const [a, b] = first.recommend({ k: 2 }).map((r) => r.id);
    first.track('view', a);
    first.track('click', b);
    await first.flush();
    const second = await shelf.session({ consent: true, store }).ready;
    const restored = second.eventCount;
    second.forget();
    await second.flush();
    const third = await shelf.session({ consent: true, store }).ready;

    self.postMessage({ simdSupported: simdSupported(), simd, scalar, restored, afterForget: third.eventCount });
  } catch (error) {
    self.postMessage({ error: `${error.name}: ${error.message} ${error.code ?? ''}` });
  }
};
