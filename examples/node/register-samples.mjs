// Validates and registers every sample invoice: indexes the sample catalog (with progress),
// registers the invoices on every core off the JS thread, prints a line each and a summary,
// and writes the certificates. Run from the repository root:
//   node examples/node/register-samples.mjs [out-folder]
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openSample } from './server.mjs'

const out = process.argv[2] ?? 'out/node'
mkdirSync(out, { recursive: true })
const { pipeline } = await openSample(out, (p) => process.stderr.write(`indexing: ${p.phase} ${p.done}/${p.total}\n`))

const files = readdirSync('data/invoices').filter((f) => f.endsWith('.xml')).sort()
const results = await pipeline.registerManyAsync(
  files.map((f) => readFileSync(join('data/invoices', f))),
  '2026-11-29',
  { certificate: true },
)
let registered = 0
for (const [i, { registration: r, error, certificate }] of results.entries()) {
  if (error) {
    console.log(`${files[i].padEnd(14)} unreadable: ${error.code}: ${error.message}`)
    continue
  }
  if (r.registrable) registered++
  const codes = [...new Set(r.findings.map((f) => f.code))].sort().join(' ')
  console.log(`${files[i].padEnd(14)} ${r.invoice.number.padEnd(14)} ${r.registrable ? 'yes' : 'no '} ${(r.commission?.total ?? '-').padStart(8)} ${codes}`)
  writeFileSync(join(out, files[i].replace('.xml', '.pdf')), certificate)
}
console.log(`${files.length} documents: ${registered} registered, ${files.length - registered} not registrable`)
