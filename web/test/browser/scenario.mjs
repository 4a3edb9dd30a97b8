// One fixed shopping scenario, run the same way in Node, on a page's main thread and
// in a Web Worker (plain ES module, no Node or DOM APIs), so results can be compared.
// `Shelf` is passed in: each place imports the package its own way.

export const T0 = 1700000000;

export async function runScenario(Shelf, { model, simd }) {
  const shelf = await Shelf.load({ model, simd });
  const popular = shelf.session().recommend({ k: 30 }).map((r) => r.id);
  const session = shelf.session({ consent: true });
  popular.slice(10, 16).forEach((id, i) => session.track(i % 3 ? 'click' : 'view', id, { ts: T0 + i * 11.5 }));
  session.track('add_to_cart', popular[12], { ts: T0 + 90 });
  session.track('dwell', popular[13], { ts: T0 + 95, weight: 24 });
  const result = {
    simd: shelf.simd,
    dims: shelf.dims,
    plain: session.recommend({ k: 12 }),
    diverse: session.recommend({ k: 12, perCategory: 1, excludeSeen: true }),
    // The embedding scorer alone: every item's dot product with the session vector,
    // through the dot kernel of the module (SIMD128 or scalar); the session's own
    // items, nearest of all, would say so rather than "similar".
    similar: session.recommend({ k: 12, scorers: ['embedding'], excludeSeen: true }),
    state: session.save(),
  };
  // A product page: related items from the model alone; then a stock feed, and the
  // page again, in stock only.
  result.related = shelf.related(popular[12], { k: 8 });
  result.feed = shelf.updateItems([{ id: result.related[0].id, inStock: false }, { id: 'no-such-sku', inStock: true }]);
  result.relatedInStock = shelf.related(popular[12], { k: 8, inStockOnly: true });
  shelf.dispose();
  return result;
}
