// The console end to end in Debian's Chromium (playwright-core, no browser download): a host
// started on the sample catalog; an operator signs in, uploads the sample invoices by the
// file chooser, watches them reach REGISTERED without reloading, opens one and downloads its
// certificate (its text checked with pdftotext); uploads a scan whose CUFE was misread and
// corrects it beside the page image until it is registered; a viewer finds upload absent and
// refused by the API; an automated accessibility check (axe-core) on each page; screenshots for docs/.
//
//   BMC_E2E_HOST=target/debug/bmc-host node examples/reference-host/console/e2e/console.e2e.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { browserPath, root, signIn, startHost } from './harness.mjs';
const shots = process.env.BMC_SCREENSHOTS ?? null;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const samples = ['FEV-0001.xml', 'FEV-0005.xml', 'FEV-0006.xml'].map((f) => join(root, 'data/invoices', f));
// A scan whose QR code is painted out: its CUFE is read from the print, and misread.
const scan = join(root, 'data/invoices/scans/FEV-0002-no-qr.png');
const printedCufe = JSON.parse(readFileSync(join(root, 'data/invoices/FEV-0002.json'), 'utf8')).cufe;

function step(what) {
  console.log(`• ${what}`);
}

/** Runs axe-core on the page: no serious or critical violation. */
async function accessible(page, where) {
  // Colours are measured at rest, not halfway through a transition.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  await page.waitForTimeout(100);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + (n.any[0]?.message ?? n.failureSummary)).slice(0, 3) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${where}: accessibility violations ${JSON.stringify(bad, null, 1)}`);
}

async function shot(page, name) {
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }
}

const data = mkdtempSync(join(tmpdir(), 'bmc-console-e2e-'));
const { base, host } = await startHost(data).catch((e) => {
  rmSync(data, { recursive: true, force: true });
  throw e;
});
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'es-CO', bypassCSP: true });
  const page = await context.newPage();

  step('the page loads from the host');
  const started = Date.now();
  await page.goto(base);
  await page.getByRole('heading', { name: 'Registro de facturas' }).waitFor();
  console.log(`  shown in ${Date.now() - started} ms`);
  await accessible(page, 'sign-in');
  await shot(page, 'sign-in');

  step('an operator signs in and uploads the sample invoices');
  await signIn(page, base, 'operator');
  await page.getByTestId('upload-input').setInputFiles(samples);
  for (const sample of samples) {
    await page.getByText(sample.split('/').pop()).waitFor();
  }

  step('their statuses change without a reload, up to REGISTERED');
  const rows = page.locator('tr[data-invoice]');
  await rows.nth(samples.length - 1).waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    (n) => {
      const chips = [...document.querySelectorAll('tr[data-invoice] [data-status]')];
      return chips.length >= n && chips.every((c) => ['REGISTERED', 'NEEDS_REVIEW', 'REJECTED'].includes(c.getAttribute('data-status')));
    },
    samples.length,
    { timeout: 120_000 },
  );
  const registered = page.locator('tr[data-invoice]:has([data-status="REGISTERED"])');
  assert.ok((await registered.count()) >= 1, 'at least one sample registered');
  await accessible(page, 'invoices');
  await shot(page, 'invoices');

  step('an invoice: lines, commission, certificate downloaded and read');
  await registered.first().locator('a').click();
  await page.getByRole('heading', { name: /Comisión/ }).waitFor();
  await page.getByRole('heading', { name: /Certificado CERT-/ }).waitFor();
  await accessible(page, 'invoice');
  await shot(page, 'invoice');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Descargar' }).click()]);
  const pdf = join(data, 'certificate.pdf');
  await download.saveAs(pdf);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  const registrationId = /RF-\d{8}-[0-9A-F]+/.exec(await page.locator('section[aria-label="Partes"]').innerText())?.[0];
  assert.ok(registrationId, 'the page shows the registration id');
  assert.ok(text.includes(registrationId), `the certificate names ${registrationId}`);

  step('in English');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: /Commission/ }).waitFor();
  await page.getByRole('button', { name: 'Español' }).click();

  step('a scan with a doubtful field: corrected beside the page, then registered');
  await page.getByRole('tab', { name: 'Facturas' }).click();
  await page.getByTestId('upload-input').setInputFiles(scan);
  const inReview = page.locator('tr[data-invoice]:has([data-status="NEEDS_REVIEW"])', { hasText: 'SETP990000002' });
  await inReview.waitFor({ timeout: 180_000 });
  await inReview.locator('a').click();
  await page.getByRole('heading', { name: 'Campos dudosos del OCR' }).waitFor();
  const image = page.getByRole('img', { name: 'Página 1 del documento' });
  await image.waitFor();
  assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the page image is shown');
  const cufe = page.getByRole('textbox', { name: 'CUFE' });
  assert.notEqual(await cufe.inputValue(), printedCufe, 'the CUFE was misread');
  await accessible(page, 'field review');
  await cufe.fill(printedCufe);
  await shot(page, 'field-review');
  await page.getByRole('button', { name: 'Enviar correcciones' }).click();
  await page.locator('article [data-status="REGISTERED"]').waitFor({ timeout: 120_000 });
  await page.getByRole('heading', { name: /Certificado CERT-/ }).waitFor();

  step("indicators: today's registrations charted");
  await page.getByRole('tab', { name: 'Indicadores' }).click();
  const chart = page.getByRole('img', { name: 'Facturas registradas por día' });
  await chart.waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const bar = await chart.locator('title').filter({ hasText: today }).textContent();
  assert.ok(Number(bar.split(': ')[1]) >= 1, `today's bar: ${bar}`);
  await accessible(page, 'charts');
  await shot(page, 'charts');

  step('products and administration');
  await page.getByRole('tab', { name: 'Productos' }).click();
  await page.getByRole('textbox', { name: 'Buscar' }).fill('pechuga polo');
  await page.getByRole('button', { name: 'Buscar' }).click();
  await page.locator('table tbody tr').first().waitFor();
  await accessible(page, 'products');
  await shot(page, 'products');
  assert.equal(await page.getByRole('tab', { name: 'Administración' }).count(), 0, 'an operator has no administration');

  step('a viewer finds upload absent, and the API refuses it');
  await page.getByRole('button', { name: 'Salir' }).click();
  await signIn(page, base, 'viewer');
  await rows.first().waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Cargar facturas' }).count(), 0);
  assert.equal(await page.getByTestId('upload-input').count(), 0);
  const refused = await page.evaluate(async () => {
    const token = sessionStorage.getItem('bmc.token');
    const r = await fetch('/invoices/upload', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'x' });
    return r.status;
  });
  assert.equal(refused, 403);

  step('an admin sees the queues and the audit log intact');
  await page.getByRole('button', { name: 'Salir' }).click();
  await signIn(page, base, 'admin');
  await page.getByRole('tab', { name: 'Administración' }).click();
  await page.getByRole('heading', { name: 'Colas y mensajes fallidos' }).waitFor();
  await page.getByRole('button', { name: 'Verificar' }).click();
  await page.getByText(/íntegra/).waitFor();
  await accessible(page, 'admin');
  await shot(page, 'admin');
  console.log('console end to end: passed');
} finally {
  await browser.close();
  host.kill('SIGTERM');
  rmSync(data, { recursive: true, force: true });
}
