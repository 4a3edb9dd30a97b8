// A Worker that forgets Shelf.load's `wasm` option, as a first try often does: an
// edge runtime has no URL to fetch the package's .wasm from, and the error must say
// what to pass instead (test/workerd.test.mjs).

import { Shelf } from 'shelf-recs';
import model from 'demo.shelf';

export default {
  async fetch() {
    try {
      const shelf = await Shelf.load({ model });
      return Response.json({ loaded: shelf.itemCount });
    } catch (error) {
      return Response.json({ name: error.name, code: error.code ?? null, message: error.message });
    }
  },
};
