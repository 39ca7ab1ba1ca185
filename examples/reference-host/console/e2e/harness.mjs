// What the console's end-to-end test and its list benchmark share: the host started on a
// folder, Debian's Chromium, the development sign-in.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's root. */
export const root = resolve(here, '../../../..');
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
/** The host binary: BMC_E2E_HOST, or the debug build. */
export const bin = process.env.BMC_E2E_HOST ?? join(target, 'debug', 'bmc-host');
/** Debian's Chromium (a browser download is not possible here). */
export const browserPath = process.env.BMC_CHROMIUM ?? '/usr/bin/chromium';

/** Starts the host on a free port of 127.0.0.1; answers its address and process. */
export async function startHost(data) {
  const config = join(data, 'host.toml');
  writeFileSync(
    config,
    [
      'listen = "127.0.0.1:0"',
      `data_dir = "${data}"`,
      `catalog_csv = "${root}/data/sample-catalog.csv.gz"`,
      `technical_keys = "${root}/data/invoices/technical-keys.csv"`,
      'registration_date = "2026-12-01"',
      '[auth]',
      'dev_sign_in = true',
      '[queues]',
      'poll_milliseconds = 50',
    ].join('\n'),
  );
  // Only the file configures it: the caller's BMC_HOST_* variables would override it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BMC_HOST_')));
  const host = spawn(bin, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'], env });
  try {
    return await ready(host);
  } catch (e) {
    // A host that did not come up is not left running.
    host.kill('SIGKILL');
    throw e;
  }
}

/** Waits until `host` listens and is ready; answers its address and process. */
async function ready(host) {
  const base = await new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`the host did not start:\n${seen}`)), 120_000);
    host.stderr.on('data', (chunk) => {
      seen += chunk;
      const m = /bmc-host listening on (http:\/\/[\d.:]+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    host.on('exit', (code) => fail(new Error(`the host exited (${code}):\n${seen}`)));
  });
  for (let i = 0; i < 1500; i++) {
    const ready = await fetch(`${base}/ready`).then((r) => r.status).catch(() => 0);
    if (ready === 200) return { base, host };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the host never became ready');
}

/** Signs in through the development sign-in as `role`. */
export async function signIn(page, base, role) {
  await page.goto(base);
  await page.getByRole('combobox', { name: 'Rol' }).click();
  await page.getByRole('option', { name: role, exact: true }).click();
  await page.getByRole('textbox', { name: 'Nombre' }).fill(`e2e-${role}`);
  await page.getByRole('button', { name: 'Ingreso de desarrollo' }).click();
  await page.getByTestId('who').filter({ hasText: `dev:e2e-${role}` }).waitFor();
}

