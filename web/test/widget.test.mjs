// <shelf-recommendations> in Chromium: the consent banner, the cold-start shelf, a
// click tracked and the list redrawn from the session's 'change' event, a <template>
// and a render callback, related items for a product page; every list exactly what
// Node's API answers for the same session.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { Shelf } from '../src/index.js';
import { ensureDemoModel, requireWasm, webRoot } from '../scripts/artifacts.mjs';
import { serveStatic } from '../scripts/static-server.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';

requireWasm();
const model = ensureDemoModel();
let server;
let browser;
let page;

before(async () => {
  server = await serveStatic({ root: webRoot, mounts: { '/model.shelf': model } });
  browser = await launchChromium();
  page = await openPage(browser);
  await page.goto(`${server.url}/test/browser/index.html`);
  await page.evaluate(async () => {
    const { Shelf } = await import('/src/index.js');
    const { defineWidget } = await import('/src/widget.js');
    const shelf = await Shelf.load({ model: '/model.shelf' });
    window.session = shelf.session();
    window.clicks = [];
    defineWidget({ shelf, session: window.session });
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const ids = (selector) => page.$$eval(`${selector} .shelf-item`, (items) => items.map((item) => item.dataset.id));

test('the consent banner, the popular items, then a tracked click redraws the list', async () => {
  const shelf = await Shelf.load({ model: readFileSync(model) });
  await page.evaluate(() => {
    document.body.innerHTML = '<shelf-recommendations id="recs" k="4" consent-banner track-clicks></shelf-recommendations>';
    document.querySelector('#recs').addEventListener('shelf-click', (event) => window.clicks.push(event.detail));
  });
  const cold = shelf.session().recommend({ k: 4 }).map((r) => r.id);
  assert.deepEqual(await ids('#recs'), cold);
  assert.equal(await page.isVisible('#recs .shelf-consent'), true);
  assert.match(await page.textContent('#recs .shelf-item .shelf-reason'), /Popular right now/);

  // Without consent a click is reported but not tracked.
  await page.click('#recs .shelf-item:first-child .shelf-card');
  assert.equal(await page.evaluate(() => window.session.eventCount), 0);

  await page.click('#recs .shelf-allow');
  assert.equal(await page.isVisible('#recs .shelf-consent'), false);
  await page.click('#recs .shelf-item:nth-child(2) .shelf-card');
  const clicks = await page.evaluate(() => window.clicks.map(({ id, position, reason }) => ({ id, position, reason })));
  assert.deepEqual(clicks, [{ id: cold[0], position: 0, reason: 'popular' }, { id: cold[1], position: 1, reason: 'popular' }]);
  assert.equal(await page.evaluate(() => window.session.eventCount), 1);

  const session = shelf.session({ consent: true });
  session.track('click', cold[1]);
  const after = session.recommend({ k: 4 });
  assert.deepEqual(await ids('#recs'), after.map((r) => r.id), 'the list follows the click');
  assert.notDeepEqual(after.map((r) => r.id), cold);
  // forget() is a change too: back to the popular items.
  await page.evaluate(() => window.session.forget());
  assert.deepEqual(await ids('#recs'), cold);
});

test('a <template>, a render callback and related items for a product page', async () => {
  const shelf = await Shelf.load({ model: readFileSync(model) });
  const product = shelf.session().recommend({ k: 1 })[0].id;
  const related = shelf.related(product, { k: 3 });
  await page.evaluate((id) => {
    document.body.innerHTML = `
      <shelf-recommendations id="page" k="3" related-to="${id}">
        <template><a data-href="/p/{id}"><b data-field="id"></b> <i data-field="reason"></i></a></template>
      </shelf-recommendations>
      <shelf-recommendations id="plain" k="2"></shelf-recommendations>`;
    document.querySelector('#plain').render = (r) => `#${r.id} (${r.reason})`;
  }, product);
  assert.deepEqual(await ids('#page'), related.map((r) => r.id));
  const links = await page.$$eval('#page .shelf-item a', (as) => as.map((a) => [a.getAttribute('href'), a.querySelector('b').textContent, a.querySelector('i').textContent]));
  assert.deepEqual(links, related.map((r) => [`/p/${r.id}`, r.id, `Viewed together with ${product}`]));
  assert.equal(await page.$$eval('#page template', (t) => t.length), 1, 'the template stays, out of the flow');

  await page.evaluate(() => document.querySelector('#plain').refresh());
  const cold = shelf.session().recommend({ k: 2 });
  assert.deepEqual(await page.$$eval('#plain .shelf-item', (items) => items.map((item) => item.textContent)),
    cold.map((r) => `#${r.id} (${r.reason})`));
  // An attribute changed redraws.
  await page.evaluate(() => document.querySelector('#plain').setAttribute('k', '5'));
  assert.equal((await ids('#plain')).length, 5);
  assert.deepEqual(page.problems, []);
});
