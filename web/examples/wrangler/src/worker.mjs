// A storefront's edge Worker, as a wrangler project: recommendations for the views
// given in the URL, from the model bundled with the Worker or from R2.
//
//   GET /?items=ID,ID,...&k=8            the bundled model (a data module)
//   GET /?items=...&model=r2             the model object "shop.shelf" in the R2
//                                        bucket bound as MODELS, streamed into wasm
//                                        memory as it arrives (no second copy)
//   GET /?items=...&model=kv             the same from the KV namespace MODELS_KV
//
// Which to choose: a Worker bundle is limited in size (3 MB compressed on the free
// plan, 10 MB on the paid one, the Worker's code and the .wasm included), so a model
// of more than a few tens of thousands of items belongs in R2 or KV (25 MiB per KV
// value; R2 objects have no such limit); either way an isolate has 128 MB of memory
// for everything, which a 1,000,000-item model fits (README, "Memory").

// wrangler resolves 'shelf-recs' through the package's "workerd" entry, which
// imports its own .wasm files as compiled modules: no `wasm` option is needed.
import { Shelf, ShelfError } from 'shelf-recs';
import bundled from '../models/shop.shelf';

// One load per model source and isolate, shared by the requests after it (a failed
// one is retried by the next request).
const loads = new Map();
function shelf(env, source) {
  if (!loads.has(source)) {
    const loading = (async () => {
      if (source === 'r2') {
        const object = await env.MODELS.get('shop.shelf');
        if (!object) throw new ShelfError('SHELF_E_IO', 'no shop.shelf in the MODELS bucket');
        return Shelf.load({ model: object.body });
      }
      if (source === 'kv') {
        const stream = await env.MODELS_KV.get('shop.shelf', { type: 'stream' });
        if (!stream) throw new ShelfError('SHELF_E_IO', 'no shop.shelf in the MODELS_KV namespace');
        return Shelf.load({ model: stream });
      }
      return Shelf.load({ model: bundled });
    })();
    loads.set(source, loading);
    loading.catch(() => loads.delete(source));
  }
  return loads.get(source);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      const model = await shelf(env, url.searchParams.get('model') ?? 'bundle');
      const session = model.session({ consent: true });
      for (const id of (url.searchParams.get('items') ?? '').split(',').filter(Boolean)) session.track('view', id);
      const recommendations = session.recommend({ k: Number(url.searchParams.get('k') ?? 8) });
      session.dispose();
      return Response.json({ items: model.itemCount, recommendations: recommendations.map((r) => [r.id, r.reason]) });
    } catch (error) {
      if (error instanceof ShelfError) return Response.json({ error: error.message, code: error.code }, { status: 400 });
      throw error;
    }
  },
};
