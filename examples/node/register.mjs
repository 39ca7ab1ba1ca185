// Register invoices end to end: open the sample catalog's index (built on first use), the
// rule book and the sellers' numbering-range keys, register one invoice with its events, then
// a whole folder at once.
// Run with the addon built: `node examples/node/register.mjs`.
import { createRequire } from 'node:module'
import { existsSync, readFileSync, readdirSync } from 'node:fs'

const require = createRequire(import.meta.url)
const { Catalog, Pipeline } = require(process.env.BMC_CORE_MODULE ?? '../../bindings/node/index.js')

const index = 'out/examples-index'
if (!existsSync(`${index}/manifest.json`)) Catalog.build('data/sample-catalog.csv.gz', index)
const pipeline = Pipeline.open(index, {
  technicalKeys: 'data/invoices/technical-keys.csv',
  environment: 'test', // the samples are DIAN test-environment documents
})

const { registration: r, events } = pipeline.register(readFileSync('data/invoices/FEV-0005.xml'), '2026-09-10')
console.log(`${r.invoice.number} registrable: ${r.registrable}`)
console.log(`commission: fee ${r.commission.fee} iva ${r.commission.iva} total ${r.commission.total}`)
console.log(`events: ${events.map((e) => e.name).join(', ')}`)

const files = readdirSync('data/invoices').filter((f) => f.endsWith('.xml')).sort()
const results = await pipeline.registerManyAsync(files.map((f) => readFileSync(`data/invoices/${f}`)), '2026-11-29')
const registered = results.filter((x) => x.registration?.registrable).length
console.log(`${results.length} documents, ${registered} registered`)
