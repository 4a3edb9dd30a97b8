// The demo storefront, clicked through in Chromium: started with the README's
// command (node demo/serve.mjs), it shows popular items until the shopper allows
// personalization (but a clicked product's related items at once), then
// recommendations that follow each click with a reason, a latency and a working
// "Forget me", and makes no network request once the model
// has loaded. A screenshot goes to build/web-test/demo.png.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ensureDemoModel, repoRoot, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';

requireWasm();
ensureDemoModel();
const screenshot = join(repoRoot, 'build', 'web-test', 'demo.png');
let server;
let browser;

before(async () => {
  server = spawn(process.execPath, [join(webRoot, 'demo', 'serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.url = await new Promise((resolve, reject) => {
    server.stdout.on('data', (data) => {
      output += data;
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (match) resolve(match[1]);
    });
    server.stderr.on('data', (data) => (output += data));
    server.once('exit', (code) => reject(new Error(`demo/serve.mjs exited with ${code}:\n${output}`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server?.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
});

/** The recommendations on the page (or another list of cards): [{ id, reason }]. */
function shownRecommendations(page, list = '#recommendations') {
  return page.$$eval(`${list} .product`, (cards) =>
    cards.map((card) => ({ id: card.dataset.id, reason: card.querySelector('.reason')?.textContent ?? '' })),
  );
}

test('recommendations follow the clicks, offline after load, and forget on request', async () => {
  const page = await openPage(browser);
  await page.setViewportSize({ width: 1200, height: 900 });
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  const loadRequests = requests.length;
  assert.ok(requests.some((url) => url.endsWith('/models/demo.shelf')), 'the model was loaded over HTTP');
  assert.ok(requests.some((url) => url.endsWith('.wasm')), 'the module was loaded over HTTP');
  assert.match(await page.textContent('#status'), /Model “demo”: [\d,]+ products, WebAssembly SIMD128/);

  // Before consent: popular items, and a click changes nothing.
  const popular = await shownRecommendations(page);
  assert.equal(popular.length, 8);
  assert.ok(popular.every((r) => r.reason === 'Popular right now'));
  await page.click('#products li:nth-child(3) .product');
  assert.deepEqual(await shownRecommendations(page), popular);
  // ... but the product's related items show: they need no history.
  const opened = await page.getAttribute('#products li:nth-child(3) .product', 'data-id');
  const related = await shownRecommendations(page, '#related');
  assert.equal(related.length, 4);
  assert.ok(related.every((r) => r.id !== opened), 'the product is not related to itself');
  assert.ok(related.some((r) => r.reason.includes(`Product ${opened}`)), JSON.stringify(related));
  assert.match(await page.textContent('#related-title'), new RegExp(`Related to Product ${opened}`));

  await page.click('#allow');
  assert.equal(await page.isVisible('#consent'), false);

  // Each click updates "Recommended for you" at once, with reasons naming it.
  const clicked = [];
  let previous = popular;
  for (const nth of [5, 40, 77]) {
    const card = `#products li:nth-child(${nth}) .product`;
    const id = await page.getAttribute(card, 'data-id');
    clicked.push(id);
    await page.click(card);
    const shown = await shownRecommendations(page);
    assert.equal(shown.length, 8);
    assert.notDeepEqual(shown.map((r) => r.id), previous.map((r) => r.id), `recommendations did not change after clicking ${id}`);
    assert.ok(shown.every((r) => !clicked.includes(r.id)), 'clicked items are not recommended back');
    assert.ok(
      shown.some((r) => r.reason.includes(`Product ${id}`)),
      `no recommendation follows the click on ${id}: ${JSON.stringify(shown)}`,
    );
    assert.match(await page.textContent('#latency'), /computed in \d+\.\d\d ms on this device/);
    previous = shown;
  }
  // A click on a recommendation counts too.
  await page.click('#recommendations li:first-child .product');
  assert.match(await page.textContent('#history'), /4 clicks remembered/);
  assert.ok(await page.evaluate(() => localStorage.getItem('shelf-session')));
  mkdirSync(join(repoRoot, 'build', 'web-test'), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: false });

  // Forget me: back to popular items, and nothing left in storage.
  await page.click('#forget');
  assert.deepEqual(await shownRecommendations(page), popular);
  assert.equal(await page.evaluate(() => localStorage.getItem('shelf-session')), null);
  assert.match(await page.textContent('#history'), /0 clicks remembered/);

  assert.deepEqual(requests.slice(loadRequests), [], 'the page made network requests after the model had loaded');
  assert.deepEqual(page.problems, []);
});

test('a phone: from 360 px up nothing scrolls sideways and every control is on screen', async () => {
  const page = await openPage(browser);
  try {
    for (const width of [360, 390, 768]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.click('#products li:nth-child(3) .product'); // the product page's row shows too
      const layout = await page.evaluate(() => {
        const inside = (selector) => {
          const box = document.querySelector(selector).getBoundingClientRect();
          return box.width > 0 && box.left >= 0 && box.right <= document.documentElement.clientWidth;
        };
        return {
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          forget: inside('#forget'),
          allow: inside('#allow'),
          card: inside('#recommendations li:first-child .product'),
        };
      });
      assert.ok(layout.scrollWidth <= layout.clientWidth, `${width} px: the page is ${layout.scrollWidth} px wide`);
      assert.deepEqual({ forget: layout.forget, allow: layout.allow, card: layout.card }, { forget: true, allow: true, card: true },
        `${width} px: a control is cut off`);
    }
  } finally {
    await page.close();
  }
});
