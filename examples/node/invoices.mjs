// Read an invoice from DIAN UBL XML and another from Tesseract's OCR output (with the page's
// QR code), then validate both for registration against the sample catalog.
// Run from the repository root with the addon built: `node examples/node/invoices.mjs`.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, readInvoice, invoiceFromOcr, validate } = require('../../bindings/node/index.js')

const cop = (value) => {
  const [whole, cents = '00'] = value.split('.')
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${cents.padEnd(2, '0')}`
}

const report = (invoice, catalog) => {
  const findings = validate(
    invoice,
    // The samples are DIAN test-environment documents.
    { registrationDate: '2026-11-29', technicalKey: 'fc8eac422eba16e22ffd8c6f94b3f40a6e38162c', environment: 'test' },
    catalog,
  )
  const doubtful = invoice.source.doubtful ?? []
  const registrable = findings.every((f) => f.severity !== 'error')
  console.log(
    `${invoice.number} ${invoice.issue_date} from ${invoice.source.kind}: ${invoice.lines.length} lines, ` +
      `payable ${cop(invoice.totals.payable)}, registrable: ${registrable}`,
  )
  console.log(`  findings: ${findings.map((f) => f.code).join(', ')}`)
  console.log(`  doubtful: ${doubtful.join(', ')}`)
}

const dir = mkdtempSync(join(tmpdir(), 'bmc-example-'))
Catalog.build('data/sample-catalog.csv.gz', join(dir, 'index'))
const catalog = Catalog.open(join(dir, 'index'))

report(readInvoice(readFileSync('data/invoices/FEV-0005.xml')), catalog)
const scanned = invoiceFromOcr(readFileSync('data/invoices/ocr/FEV-0002.tesseract.tsv', 'utf8'), 'tesseract-tsv', {
  qr: readFileSync('data/invoices/ocr/FEV-0002.qr.txt', 'utf8'),
})
report(scanned, catalog)

try {
  readInvoice(Buffer.from('<!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice>&a;</Invoice>'))
} catch (e) {
  console.log(`refused: ${e.code} (${e.message})`)
}
rmSync(dir, { recursive: true })
