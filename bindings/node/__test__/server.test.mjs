// The example HTTP server and registration script, run for real: a server on a free port
// answered with fetch, and the script in a child process.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const { handler, openSample } = await import(new URL('../../../examples/node/server.mjs', import.meta.url))

let server
let base
const progress = []

before(async () => {
  const parts = await openSample(mkdtempSync(join(tmpdir(), 'bmc-server-')), (p) => progress.push(p))
  server = http.createServer(handler({ ...parts, today: () => '2026-11-29' }))
  await new Promise((resolve) => server.listen(0, resolve))
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => server.close())

test('building the index reported progress', () => {
  assert.ok(progress.length >= 2, JSON.stringify(progress))
  assert.ok(progress.some((p) => p.phase === 'reading'))
  assert.equal(progress.at(-1).phase, 'finishing')
})

test('search, lookup and 404', async () => {
  const health = await (await fetch(`${base}/health`)).json()
  assert.equal(health.ok, true)
  const hits = await (await fetch(`${base}/products/search?q=${encodeURIComponent('café')}&limit=3`)).json()
  assert.equal(hits.length, 3)
  const code = hits[0].product.productCode
  const product = await (await fetch(`${base}/products/${code}`)).json()
  assert.equal(product.productCode, code)
  const missing = await fetch(`${base}/products/NO-SUCH-CODE`)
  assert.equal(missing.status, 404)
})

test('commission with decimal strings, and coded errors', async () => {
  const ok = await fetch(`${base}/commissions`, {
    method: 'POST',
    body: JSON.stringify({ issueDate: '2026-03-01', lines: [{ tariffCode: '0901119000', base: '1250000000.00' }] }),
  })
  const c = await ok.json()
  assert.equal(c.fee, '593750')
  assert.equal(c.total, '706563')
  const bad = await fetch(`${base}/commissions`, {
    method: 'POST',
    body: JSON.stringify({ issueDate: '2026-03-01', lines: [{ tariffCode: '0901119000', base: 1250000 }] }),
  })
  assert.equal(bad.status, 400)
  assert.equal((await bad.json()).code, 'INVALID_ARGUMENT')
})

test('invoice upload registers it', async () => {
  const res = await fetch(`${base}/invoices/upload`, {
    method: 'POST',
    body: readFileSync(join(root, 'data/invoices/FEV-0005.xml')),
  })
  const { registration, events } = await res.json()
  assert.equal(registration.registrable, true)
  assert.equal(registration.commission.total, '133392')
  assert.equal(events[0].name, 'invoice.uploaded')
  const hostile = await fetch(`${base}/invoices/upload`, { method: 'POST', body: '<!DOCTYPE x []><Invoice/>' })
  assert.equal((await hostile.json()).code, 'INVOICE_XML_REFUSED')
})

test('the registration script registers the samples', () => {
  const out = mkdtempSync(join(tmpdir(), 'bmc-register-'))
  const text = execFileSync(process.execPath, [join(root, 'examples/node/register-samples.mjs'), out], {
    cwd: root,
    encoding: 'utf8',
  })
  assert.match(text, /20 documents: 18 registered, 2 not registrable/)
  assert.match(text, /FEV-0005.xml {3}SETP990000005 {2}yes {3}133392/)
  assert.ok(existsSync(join(out, 'FEV-0005.pdf')))
})
