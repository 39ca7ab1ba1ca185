// The catalog from Node: build, queries, async calls, errors, commissions through a catalog.
import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { Catalog, RuleBook } = require('../index.js')
const sample = fileURLToPath(new URL('../../../data/sample-catalog.csv.gz', import.meta.url))
const dir = mkdtempSync(`${tmpdir()}/bmc-catalog-`)
let catalog

before(() => {
  const report = Catalog.build(sample, `${dir}/index`)
  assert.equal(report.products, 20000)
  catalog = Catalog.open(`${dir}/index`)
})

test('get, getMany and prefix', async () => {
  const [first] = catalog.prefix('7', 1)
  assert.deepEqual(catalog.get(first.productCode), first)
  assert.equal(first.dianClassification.length, 10)
  assert.equal(catalog.get('no-such-code'), null)
  assert.deepEqual(catalog.getMany([first.productCode, 'nope']), [first, null])
  assert.deepEqual(await catalog.getManyAsync([first.productCode]), [first])
  assert.equal(catalog.length, 20000)
  assert.ok(catalog.warm() > 1000000)
})

test('byClassification pages and search', async () => {
  const page = catalog.byClassification('0901', { activeOnly: true, limit: 3 })
  assert.equal(page.products.length, 3)
  assert.equal(page.nextOffset, 3)
  assert.ok(page.products.every((p) => p.dianClassification.startsWith('0901') && p.isActive))
  const hits = catalog.search('panela pulverisada', { limit: 5 })
  assert.ok(hits.length > 0 && hits.every((h) => h.product.productName.toLowerCase().includes('panela')))
  assert.equal(catalog.search(hits[0].product.productCode, { limit: 1 })[0].matched, 'code')
  assert.deepEqual(await catalog.searchAsync('panela pulverisada', { limit: 5 }), hits)
  assert.throws(() => catalog.byClassification('abc'), { code: 'CATALOG_QUERY_INVALID' })
  // A search too large for one call is refused, not allocated.
  assert.throws(() => catalog.search('cafe', { limit: 10_001 }), { code: 'CATALOG_QUERY_INVALID' })
  assert.throws(() => catalog.search(Array(65).fill('cafe').join(' ')), { code: 'CATALOG_QUERY_INVALID' })
  assert.throws(() => catalog.search('a'.repeat(100_000)), { code: 'CATALOG_QUERY_INVALID' })
  await assert.rejects(catalog.searchAsync('cafe', { limit: 2 ** 32 - 1 }), { code: 'CATALOG_QUERY_INVALID' })
})

test('searchThreads does not change results', () => {
  const one = Catalog.open(`${dir}/index`, { searchThreads: 1 })
  for (const query of ['cafe tostado', 'aceite de soya', 'panela pulverisada', 'de la']) {
    assert.deepEqual(one.search(query, { limit: 10 }), catalog.search(query, { limit: 10 }))
  }
})

test('buildAsync builds off the JS thread', async () => {
  const pending = Catalog.buildAsync(sample, `${dir}/async-index`)
  assert.ok(pending instanceof Promise)
  assert.equal((await pending).products, 20000)
  await assert.rejects(Catalog.buildAsync(`${dir}/missing.csv`, `${dir}/x`), { code: 'CATALOG_IO' })
})

test('build and open errors carry codes', () => {
  const bad = `${dir}/bad.csv`
  writeFileSync(
    bad,
    'product_id,product_code,product_name,dian_classification,category_id,unit_type,is_active,created_at,updated_at\n1,A,Café,7701000000,90,kg,t,,\n',
  )
  assert.throws(() => Catalog.build(bad, `${dir}/bad-index`), { code: 'CATALOG_BUILD_REJECTED' })
  const report = Catalog.build(bad, `${dir}/bad-index`, { skipInvalid: true })
  assert.deepEqual(report.invalid.map((p) => [p.line, p.field]), [[2, 'dian_classification']])
  assert.throws(() => Catalog.open(`${dir}/none`), { code: 'CATALOG_FORMAT' })
  const strings = `${dir}/index/strings.bin`
  const copy = Buffer.from(readFileSync(strings))
  copy[copy.length >> 1] ^= 0xff
  writeFileSync(`${dir}/bad-index/strings.bin`, copy)
  assert.throws(() => Catalog.open(`${dir}/bad-index`).verify(), { code: /CATALOG_(TRUNCATED|CORRUPT)/ })
})

test('commissions classify product codes through the catalog', () => {
  const [coffee] = catalog.byClassification('0901', { activeOnly: true, limit: 1 }).products
  const book = RuleBook.embedded()
  const invoice = { issueDate: '2026-03-01', lines: [{ productCode: coffee.productCode, base: '1000000000' }] }
  assert.equal(book.calculate(invoice).eligible, false)
  const r = book.calculateWithCatalog(invoice, catalog)
  assert.equal(r.eligible, true)
  assert.equal(r.fee, '500000')
})


test('applyDelta overlays changes and compact folds them in', () => {
  const local = `${mkdtempSync(`${tmpdir()}/bmc-delta-`)}`
  Catalog.build(sample, `${local}/index`)
  const c = Catalog.open(`${local}/index`)
  writeFileSync(
    `${local}/delta.csv`,
    'product_id,product_code,product_name,dian_classification,category_id,unit_type,is_active,created_at,updated_at\n999999,NUEVO-1,Aguacate Hass nuevo,0804400000,80,kg,t,,\n',
  )
  assert.equal(c.applyDelta(`${local}/delta.csv`), 1)
  assert.equal(c.get('NUEVO-1').productName, 'Aguacate Hass nuevo')
  assert.equal(c.length, 20001)
  assert.equal(c.compact(), 20001)
  assert.equal(c.get('NUEVO-1').productName, 'Aguacate Hass nuevo')
  rmSync(local, { recursive: true })
})

test('cleanup', () => {
  rmSync(dir, { recursive: true })
})
