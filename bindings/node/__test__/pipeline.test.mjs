// Registration end to end from Node: events, decimal strings, the certificate PDF.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, Pipeline } = require('../index.js')
const root = new URL('../../../', import.meta.url)
const file = (name) => readFileSync(new URL(name, root))

const index = join(mkdtempSync(join(tmpdir(), 'bmc-pipeline-')), 'index')
Catalog.build(new URL('data/sample-catalog.csv.gz', root).pathname, index)
const pipeline = Pipeline.open(index, {
  technicalKeys: new URL('data/invoices/technical-keys.csv', root).pathname,
  environment: 'test',
})

test('registers an invoice with its events and certificate', () => {
  const { registration, events, certificate } = pipeline.register(file('data/invoices/FEV-0005.xml'), '2026-11-29', {
    certificate: true,
  })
  assert.equal(registration.registrable, true)
  assert.match(registration.registration_id, /^RF-20261129-[0-9A-F]{10}$/)
  assert.equal(registration.commission.total, '133392')
  assert.deepEqual(
    events.map((e) => e.name),
    ['invoice.uploaded', 'invoice.validated', 'commission.calculated'],
  )
  assert.equal(events[2].detail_type, 'Commission Calculated')
  assert.equal(certificate.subarray(0, 5).toString(), '%PDF-')
  const again = pipeline.register(file('data/invoices/FEV-0005.xml'), '2026-11-29', { certificate: true })
  assert.ok(certificate.equals(again.certificate), 'byte-identical')
})

test('refused and unreadable documents', () => {
  const { registration } = pipeline.register(file('data/invoices/faulty/final-consumer.xml'), '2026-11-29')
  assert.equal(registration.registrable, false)
  assert.ok(registration.findings.some((f) => f.code === 'BUYER_NOT_IDENTIFIED'))
  assert.throws(() => pipeline.register(Buffer.from('<Order/>'), '2026-11-29'), { code: 'INVOICE_UNKNOWN_DOCUMENT' })
  assert.throws(() => pipeline.register(file('data/invoices/FEV-0005.xml'), '29/11/2026'), { code: 'INVALID_ARGUMENT' })
})

test('registerManyAsync gives one result per document, in order, errors in place', async () => {
  const good = file('data/invoices/FEV-0005.xml')
  const other = file('data/invoices/FEV-0001.xml')
  const documents = []
  for (let i = 0; i < 23; i++) {
    documents.push([good, Buffer.from('<Order/>'), other, Buffer.from("<!DOCTYPE x [<!ENTITY a 'b'>]><Invoice/>")][i % 4])
  }
  const results = await pipeline.registerManyAsync(documents, '2026-11-29', { certificate: true })
  assert.equal(results.length, documents.length)
  for (const [i, r] of results.entries()) {
    switch (i % 4) {
      case 0:
        assert.equal(r.registration.invoice.number, 'SETP990000005')
        assert.equal(r.certificate.subarray(0, 5).toString(), '%PDF-')
        break
      case 1:
        assert.equal(r.registration, undefined)
        assert.equal(r.error.code, 'INVOICE_UNKNOWN_DOCUMENT')
        break
      case 2:
        assert.equal(r.registration.invoice.number, 'SETP990000001')
        break
      default:
        assert.equal(r.error.code, 'INVOICE_XML_REFUSED')
        assert.match(r.error.message, /DOCTYPE/)
    }
    assert.equal(r.events[0].name, 'invoice.uploaded')
  }
})
