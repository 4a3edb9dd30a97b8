// The demo storefront: a product grid, "Recommended for you" computed in this tab by
// shelf-recs from the clicks of this visit, and the clicked product's related items. After the model and the catalog
// have loaded, the page makes no network request at all.

import { Shelf, localStorageStore } from 'shelf-recs';

const $ = (id) => document.getElementById(id);
const CONSENT_KEY = 'shelf-demo-consent'; // the site's own record of the shopper's choice
const name = (id) => `Product ${id}`;
const REASONS = {
  popular: () => 'Popular right now',
  seen_before: () => 'You looked at this',
  in_cart: () => 'In your cart',
  viewed_together: (because) => `Viewed together with ${name(because)}`,
  viewed_after: (because) => `Often viewed after ${name(because)}`,
  similar: (because) => (because ? `Similar to ${name(because)}` : 'Similar to what you viewed'),
};

try {
  await main();
} catch (error) {
  $('status').textContent = `Could not start: ${error.message}`;
  throw error;
}

async function main() {
  const started = performance.now();
  const [shelf, catalog] = await Promise.all([
    Shelf.load({ model: '../models/demo.shelf' }),
    fetch('catalog.json').then((response) => response.json()),
  ]);
  const loadMs = performance.now() - started;
  const session = shelf.session({
    consent: localStorage.getItem(CONSENT_KEY) === 'yes',
    store: localStorageStore(),
  });
  $('status').textContent =
    `Model “${shelf.name}”: ${shelf.itemCount.toLocaleString('en')} products, ` +
    `${shelf.simd ? 'WebAssembly SIMD128' : 'WebAssembly'}, loaded in ${Math.round(loadMs)} ms`;

  $('products').replaceChildren(...catalog.map((item) => card(item.id, item.category)));
  $('consent').hidden = session.consent;

  const update = () => {
    const t0 = performance.now();
    const recommendations = session.recommend({ k: 8, perCategory: 2, excludeSeen: true });
    const ms = performance.now() - t0;
    $('recommendations').replaceChildren(
      ...recommendations.map((r) => card(r.id, r.category, REASONS[r.reason](r.because), r.reason)),
    );
    $('latency').textContent = `computed in ${ms.toFixed(2)} ms on this device`;
    $('history').textContent = session.consent ? `· ${session.eventCount} clicks remembered on this device` : '';
  };

  // A click opens the product, as its page would: the page's related items come from
  // the model alone, so they show with or without consent.
  const showRelated = (id) => {
    const related = shelf.related(id, { k: 4, perCategory: 2 });
    $('related-title').textContent = `Related to ${name(id)}`;
    $('related').replaceChildren(...related.map((r) => card(r.id, r.category, REASONS[r.reason](r.because), r.reason)));
    $('product-page').hidden = false;
  };

  document.addEventListener('click', (event) => {
    const product = event.target.closest('.product');
    if (!product) return;
    document.querySelectorAll('.product.clicked').forEach((p) => p.classList.remove('clicked'));
    product.classList.add('clicked');
    session.track('click', product.dataset.id);
    showRelated(product.dataset.id);
    update();
  });
  $('allow').addEventListener('click', () => {
    localStorage.setItem(CONSENT_KEY, 'yes');
    session.setConsent(true);
    $('consent').hidden = true;
    update();
  });
  $('forget').addEventListener('click', () => {
    session.forget();
    update();
  });

  update();
  document.body.dataset.ready = 'true';
}

/** A product card: a button, so it is reachable by keyboard too. */
function card(id, category, reason, reasonName) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'product';
  button.dataset.id = id;
  button.style.setProperty('--hue', String(hue(category ?? id)));
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.textContent = category ? `Category ${category}` : '';
  const info = document.createElement('span');
  info.className = 'info';
  const title = document.createElement('strong');
  title.textContent = name(id);
  const sku = document.createElement('small');
  sku.textContent = `sku ${id}`;
  info.append(title, sku);
  if (reason) {
    const why = document.createElement('span');
    why.className = `reason ${reasonName}`;
    why.textContent = reason;
    info.append(why);
  }
  button.append(swatch, info);
  li.append(button);
  return li;
}

/** A stable colour per category. */
function hue(text) {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}
