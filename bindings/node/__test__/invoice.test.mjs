// Invoices from Node: the shared vectors (tests/vectors/invoices.json, also run by Rust and
// Python), decimal strings, and coded errors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const { readInvoice, invoiceFromOcr, validate, isRegistrable, Catalog, correctInvoice, invoiceFieldText } = require('../index.js')
const root = new URL('../../../', import.meta.url)
const file = (name) => new URL(name, root)
const vectors = JSON.parse(readFileSync(file('tests/vectors/invoices.json'), 'utf8'))

const get = (obj, path) => path.split('.').reduce((o, k) => (o == null ? o : o[k]), obj)
const normal = (v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? String(Number(v)) : v)

const doubtful = (invoice) => [...(invoice.source.doubtful ?? [])].sort()

for (const c of vectors.read) {
  test(`read ${c.file}`, () => {
    const data = readFileSync(file(c.file))
    const invoice = c.format
      ? invoiceFromOcr(data.toString('utf8'), c.format, {
          qr: c.qr ? readFileSync(file(c.qr), 'utf8') : undefined,
        })
      : readInvoice(data)
    const truth = JSON.parse(readFileSync(file(c.truth), 'utf8'))
    if (c.exact) {
      assert.deepEqual(invoice, truth)
    } else {
      for (const path of c.fields) {
        assert.deepEqual(normal(get(invoice, path)), normal(get(truth, path)), path)
      }
    }
    assert.equal(invoice.source.kind, c.source)
    assert.deepEqual(doubtful(invoice), [...c.doubtful].sort())
  })
}

for (const c of vectors.validate) {
  test(`validate ${c.file} on ${c.registration_date}`, () => {
    const invoice = readInvoice(readFileSync(file(c.file)))
    const findings = validate(invoice, {
      registrationDate: c.registration_date,
      technicalKey: c.technical_key ?? undefined,
      softwarePin: c.software_pin ?? undefined,
      environment: c.environment,
    })
    assert.deepEqual([...new Set(findings.map((f) => f.code))].sort(), [...c.codes].sort())
    assert.equal(isRegistrable(findings), c.registrable)
  })
}

test('amounts are decimal strings with their scale', () => {
  const invoice = readInvoice(readFileSync(file('data/invoices/FEV-0001.xml')))
  assert.equal(typeof invoice.totals.payable, 'string')
  assert.match(invoice.lines[0].base, /\.00$/)
})

test('errors carry stable codes', () => {
  const code = (fn) => {
    try {
      fn()
    } catch (e) {
      return e.code
    }
    return null
  }
  const bomb = Buffer.from('<!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>')
  assert.equal(code(() => readInvoice(bomb)), 'INVOICE_XML_REFUSED')
  assert.equal(code(() => readInvoice(Buffer.from('%PDF-1.7'))), 'INVOICE_UNRECOGNIZED_FORMAT')
  assert.equal(code(() => invoiceFromOcr('', 'abbyy')), 'OCR_FORMAT_UNKNOWN')
  assert.equal(code(() => validate({ kind: 'invoice' }, { registrationDate: '2026-11-29' })), 'INVOICE_INVALID_JSON')
  const invoice = readInvoice(readFileSync(file('data/invoices/FEV-0001.xml')))
  assert.equal(code(() => validate(invoice, { registrationDate: '29/11/2026' })), 'INVALID_ARGUMENT')
})

test('validation looks products up in a catalog', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'bmc-')), 'index')
  Catalog.build(new URL('data/sample-catalog.csv.gz', root).pathname, dir)
  const catalog = Catalog.open(dir)
  const invoice = readInvoice(readFileSync(file('data/invoices/FEV-0001.xml')))
  const codes = validate(invoice, { registrationDate: invoice.issue_date }, catalog).map((f) => f.code)
  assert.ok(!codes.includes('PRODUCT_NOT_IN_CATALOG'), codes.join())
  assert.ok(!codes.includes('PRODUCT_UNCLASSIFIED'), codes.join())
})

const findings = JSON.parse(readFileSync(file('tests/vectors/findings.json'), 'utf8'))
const findingsIndex = join(mkdtempSync(join(tmpdir(), 'bmc-findings-')), 'index')
Catalog.build(fileURLToPath(file(findings.catalog)), findingsIndex)
const findingsCatalog = Catalog.open(findingsIndex)

for (const c of findings.cases) {
  test(`finding vector: ${c.name}`, () => {
    const got = validate(
      c.invoice,
      {
        registrationDate: c.context.registration_date,
        environment: c.context.environment,
        technicalKey: c.context.technical_key ?? undefined,
        softwarePin: c.context.software_pin ?? undefined,
      },
      c.catalog ? findingsCatalog : undefined,
    )
    assert.deepEqual([...new Set(got.map((f) => f.code))].sort(), c.codes)
  })
}

for (const c of vectors.correct) {
  test(`correct: ${c.name}`, () => {
    const invoice = invoiceFromOcr(readFileSync(file(c.file), 'utf8'), c.format)
    if (c.error) {
      assert.throws(
        () => correctInvoice(invoice, c.corrections),
        (e) => e.code === c.error.code && e.message.includes(c.error.mentions),
      )
      return
    }
    const { invoice: corrected, corrected: done } = correctInvoice(invoice, c.corrections)
    assert.deepEqual(done, c.corrected)
    for (const [pointer, expected] of Object.entries(c.expect)) {
      const found = pointer
        .slice(1)
        .split('/')
        .reduce((o, k) => (o == null ? o : o[k]), corrected)
      assert.deepEqual(found, expected, pointer)
    }
    assert.deepEqual(doubtful(corrected), c.doubtful)
    assert.equal(invoiceFieldText(corrected, 'cufe'), corrected.cufe)
    assert.equal(invoiceFieldText(corrected, 'lines[99].base'), null)
  })
}
