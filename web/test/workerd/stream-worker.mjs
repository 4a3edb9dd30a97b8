// A Worker that streams its model from a URL into wasm memory, for
// test/large-model.test.mjs: the model of an edge Worker too big to bundle, as it
// would come from R2 (`(await env.BUCKET.get(key)).body`) or KV
// (`await env.KV.get(key, { type: 'stream' })`); here env.MODEL_URL on 127.0.0.1.
//
//   GET /recommendations?items=a,b,c&k=10   views of those items, then recommend()
//   GET /debug/memory                       { wasmMemory, fileSize, items, chunks }

import { Shelf, ShelfError } from 'shelf-recs';
import simd from 'shelf-simd.wasm';
import scalar from 'shelf-scalar.wasm';

// One model per isolate, loaded by the first request (retried after a failure).
let loading = null;
const progress = { fileSize: 0, chunks: 0 };

function shelf(env) {
  loading ??= Shelf.load({
    model: env.MODEL_URL,
    wasm: { simd, scalar },
    onProgress: (loaded, total) => {
      progress.fileSize = total;
      progress.chunks++;
    },
  }).catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/debug/memory') {
        const model = await shelf(env);
        return Response.json({ wasmMemory: model.binding.wasm.memory.buffer.byteLength, items: model.itemCount, ...progress });
      }
      if (url.pathname === '/recommendations') {
        const model = await shelf(env);
        const session = model.session({ consent: true });
        try {
          let ts = 1700000000;
          for (const id of (url.searchParams.get('items') ?? '').split(',').filter(Boolean)) session.track('view', id, { ts: ts++ });
          return Response.json({ recommendations: session.recommend({ k: Number(url.searchParams.get('k') ?? 10) }) });
        } finally {
          session.dispose();
        }
      }
      return new Response('not found\n', { status: 404 });
    } catch (error) {
      if (error instanceof ShelfError) return Response.json({ error: error.code, message: error.message }, { status: 502 });
      throw error;
    }
  },
};
