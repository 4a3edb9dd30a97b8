// The README's "Add it to a page", whole: test/bundlers.test.mjs builds this file
// with Vite and webpack from the packed package and checks in Chromium that the
// list drawn is what Node recommends. Item 42163 is in the demo model.
import { Shelf, localStorageStore } from 'shelf-recs';

const shelf = await Shelf.load({ model: '/models/demo.shelf' });          // picks the SIMD or scalar .wasm
const session = shelf.session({ consent: true, store: localStorageStore() });
session.track('view', '42163');                                            // view, click, add_to_cart, purchase, search, dwell
const recs = session.recommend({ k: 8, perCategory: 2 });                  // [{ id, score, reason, because, category }]

document.querySelector('#recommendations').replaceChildren(...recs.map((r) => {
  const item = document.createElement('li');
  item.dataset.id = r.id;
  item.textContent = `${r.id}: ${r.reason}`;
  return item;
}));
