// `shelf eval --report`: the HTML page opened in Chromium, as a user opens it: it
// loads nothing else, draws its four charts with a curve for each scorer alone and
// the blend, and its table gives the figures `shelf eval --json` gives.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

import { cli, dataRoot, requireFile } from '../scripts/artifacts.mjs';
import { launchChromium, openPage } from './helpers/chromium.mjs';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'shelf-report-'));
let browser;
after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the report: self-contained, four charts, a curve per scorer, the figures of shelf eval', async () => {
  requireFile(cli);
  const raw = join(dataRoot, 'diginetica-raw', 'sample_train-item-views.csv');
  const [train, cases, model, report] = ['train.tsv', 'test.tsv', 'model.shelf', 'report.html'].map((f) => join(scratch, f));
  await run(cli, ['split', '--events', raw, '--format', 'diginetica', '--train', train, '--test', cases]);
  await run(cli, ['train', '--sessions', train, '--out', model, '--keep-unused', '--validation', '0']);
  await run(cli, ['eval', '--model', model, '--test', cases, '--report', report]);
  const json = async (...args) => JSON.parse((await run(cli, ['eval', '--model', model, '--test', cases, '--json', '--no-baselines', ...args])).stdout);
  const blend = await json();
  const repeat = await json('--scorers', 'repeat');

  browser = await launchChromium();
  const page = await openPage(browser);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(report).href);
  const drawn = await page.evaluate(() => ({
    charts: [...document.querySelectorAll('svg')].map((svg) => svg.id),
    curves: Object.fromEntries(['hr', 'mrr'].map((id) =>
      [id, [...document.querySelectorAll(`#${id} polyline`)].map((line) => line.dataset.series)])),
    points: [...document.querySelectorAll('#size circle')].length,
    bars: [...document.querySelectorAll('#latency rect')].reduce((sum, bar) => sum + Number(bar.dataset.calls), 0),
    rows: Object.fromEntries([...document.querySelectorAll('#figures tr[data-series]')].map((row) =>
      [row.dataset.series, [Number(row.querySelector('.hr20').textContent), Number(row.querySelector('.mrr20').textContent)]])),
  }));
  assert.deepEqual(requests, [pathToFileURL(report).href], 'the page loads nothing but itself');
  assert.deepEqual(drawn.charts, ['hr', 'mrr', 'size', 'latency']);
  const series = ['popularity', 'repeat', 'covisit', 'sequential', 'embedding', 'blend'];
  assert.deepEqual(drawn.curves, { hr: series, mrr: series });
  assert.equal(drawn.points, series.length);
  assert.equal(drawn.bars, blend.cases, 'every call is in the histogram');
  assert.deepEqual(drawn.rows.blend, [blend['hr@20'], blend['mrr@20']]);
  assert.deepEqual(drawn.rows.repeat, [repeat['hr@20'], repeat['mrr@20']]);
  assert.deepEqual(page.problems, []);
});
