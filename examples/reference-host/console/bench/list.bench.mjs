// The invoice list on a host holding many invoices, measured in Debian's Chromium: the API's
// pages (first, deep, filtered), the console's first page, paging and filtering, and how
// smooth the page stays while it polls and is scrolled (long tasks, frame intervals).
//
//   benches/console-list/run.sh            (loads 10,000 invoices first, then runs this)
//   BMC_E2E_HOST=target/release/bmc-host BMC_BENCH_DATA=<a loaded host folder> \
//     node examples/reference-host/console/bench/list.bench.mjs

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { chromium } from 'playwright-core';
import { browserPath, signIn, startHost } from '../e2e/harness.mjs';

const data = process.env.BMC_BENCH_DATA;
if (!data) throw new Error('BMC_BENCH_DATA: the folder of a host loaded with invoices');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const ms = (x) => `${x.toFixed(1)} ms`;

/** Times `f` (async), in milliseconds. */
async function timed(f) {
  const started = performance.now();
  await f();
  return performance.now() - started;
}

const { base, host } = await startHost(data);
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpus().length} cores, ${model}; Chromium ${browser.version()}`);
  const page = await (await browser.newContext({ locale: 'es-CO', viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, base, 'viewer');
  const token = await page.evaluate(() => sessionStorage.getItem('bmc.token'));
  const api = async (path) => {
    const answer = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
    return answer.json();
  };

  // What the host holds.
  const counts = await api('/stats/daily?days=366');
  const total = counts.days.reduce((n, d) => n + d.uploaded, 0);
  console.log(`invoices held: ${total}`);

  // The API: the first page, pages deep in the list, filtered pages.
  const first = [];
  for (let i = 0; i < 30; i++) first.push(await timed(() => api('/invoices?limit=50')));
  const deep = [];
  let after = null;
  let pages = 0;
  for (; pages < 100; pages++) {
    let answer;
    deep.push(await timed(async () => (answer = await api(`/invoices?limit=50${after ? `&after=${after}` : ''}`))));
    after = answer.next;
    if (!after) break;
  }
  const sample = (await api('/invoices?limit=1')).items[0];
  const byStatus = [];
  const bySeller = [];
  for (let i = 0; i < 30; i++) {
    byStatus.push(await timed(() => api('/invoices?limit=50&status=REGISTERED')));
    bySeller.push(await timed(() => api(`/invoices?limit=50&seller_nit=${sample.seller_nit}`)));
  }
  console.log(`API GET /invoices?limit=50: median ${ms(median(first))}, p95 ${ms(quantile(first, 0.95))}`);
  console.log(`API the next ${deep.length} pages by cursor: median ${ms(median(deep))}, max ${ms(Math.max(...deep))}`);
  console.log(`API status=REGISTERED: median ${ms(median(byStatus))}; seller_nit: median ${ms(median(bySeller))}`);

  // The console, loaded afresh (the session kept): script, sign-in check and first page.
  const rows = page.locator('tr[data-invoice]');
  const firstRow = async () => rows.first().getAttribute('data-invoice');
  await page.goto('about:blank');
  const shown = await timed(async () => {
    await page.goto(`${base}/#/invoices`);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-invoice]').length === 50);
  });
  console.log(`console: page loaded to its first 50 rows in ${ms(shown)}`);

  // Long tasks observed from here on.
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({
      type: 'longtask',
      buffered: true,
    });
  });

  const paging = [];
  for (let i = 0; i < 20; i++) {
    const before = await firstRow();
    paging.push(
      await timed(async () => {
        await page.getByRole('button', { name: 'Más' }).click();
        await page.waitForFunction((id) => document.querySelector('tr[data-invoice]')?.getAttribute('data-invoice') !== id, before);
      }),
    );
  }
  console.log(`console: next page (click to rows replaced) median ${ms(median(paging))}, max ${ms(Math.max(...paging))}`);

  const filtering = await timed(async () => {
    await page.getByRole('combobox', { name: 'Estado' }).click();
    await page.getByRole('option', { name: 'Registrada' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-invoice]').length === 50);
  });
  console.log(`console: status filter chosen to rows shown ${ms(filtering)}`);

  // Ten seconds of polling (every 2 s) while the list is scrolled up and down.
  await page.evaluate(() => (window.__long = []));
  const frames = await page.evaluate(
    () =>
      new Promise((done) => {
        const intervals = [];
        let last = performance.now();
        const started = last;
        let down = true;
        const tick = (now) => {
          intervals.push(now - last);
          last = now;
          window.scrollBy(0, down ? 40 : -40);
          if (window.scrollY + window.innerHeight >= document.body.scrollHeight - 2) down = false;
          if (window.scrollY <= 0) down = true;
          if (now - started < 10_000) requestAnimationFrame(tick);
          else done(intervals);
        };
        requestAnimationFrame(tick);
      }),
  );
  const long = await page.evaluate(() => window.__long);
  const blocking = long.reduce((sum, d) => sum + Math.max(0, d - 50), 0);
  console.log(
    `console: 10 s scrolled while polling: ${frames.length} frames, interval median ${ms(median(frames))}, ` +
      `p99 ${ms(quantile(frames, 0.99))}, max ${ms(Math.max(...frames))}; ${long.length} long tasks, ${ms(blocking)} blocking`,
  );
  const rss = Number(readFileSync(`/proc/${host.pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  console.log(`host resident memory: ${(rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await browser.close();
  host.kill('SIGTERM');
}
