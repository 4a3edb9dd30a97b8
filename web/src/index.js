// shelf-recs: on-device recommendations from the current shopping session.
//
//   import { Shelf } from 'shelf-recs';
//   const shelf = await Shelf.load({ model: '/models/demo.shelf' });
//   const session = shelf.session({ consent: true });
//   session.track('view', 'sku-1');
//   session.recommend({ k: 8, perCategory: 2 }); // [{ id, score, reason, because, category }]
//
// The layers, from the top:
//   shelf.js, session.js  the friendly API: Shelf (a model), Session (a shopper)
//   stores.js             where a session's state lives between page loads
//   model.js              (internal) ids, names and statuses <-> C's indices and enums
//   load.js               SIMD detection; modules and bytes from URLs, bytes, Modules
//   binding.js            the thin 1:1 binding of include/shelf.h ('shelf-recs/binding')

export { Shelf } from './shelf.js';
export { Session } from './session.js';
export { ShelfError } from './error.js';
export { localStorageStore, indexedDBStore, memoryStore } from './stores.js';
export { simdSupported, compileWasm } from './load.js';
export { stateSealer, SEALED_STATE_MAX } from './seal.js';
