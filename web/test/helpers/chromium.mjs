// Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (never a downloaded browser). Pages report their errors and failed requests.

import { chromium } from 'playwright-core';

import { requireFile } from '../../scripts/artifacts.mjs';

export async function launchChromium() {
  const executablePath = requireFile('/usr/bin/chromium', 'run tools/setup.sh (it installs Debian\'s chromium)');
  return chromium.launch({
    executablePath,
    args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A new page whose console errors, uncaught exceptions and failed requests are
 * collected in `page.problems`. */
export async function openPage(browser) {
  const page = await browser.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => page.problems.push(`request failed: ${request.url()}`));
  return page;
}
