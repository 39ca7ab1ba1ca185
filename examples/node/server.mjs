// A small HTTP server over bmc-core for a React front end: product search and lookup,
// commission calculation, and invoice registration. node:http only, no framework.
//
//   node examples/node/server.mjs            # builds the sample index on first use, port 8080
//   PORT=3000 node examples/node/server.mjs
//
//   GET  /health                       { ok }
//   GET  /products/search?q=café&limit=5
//   GET  /products/:code
//   POST /commissions                   { issueDate, lines: [{ tariffCode | productCode, base }] }
//   POST /invoices/upload               UBL XML body → { registration, events }
//
// Errors answer { code, message } with 400 (bad input) or 404; amounts are decimal strings.
import http from 'node:http'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Catalog, RuleBook, Pipeline } = require('../../bindings/node/index.js')

const json = (res, status, body) => {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'content-type',
  })
  res.end(JSON.stringify(body))
}

const readBody = (req, limit = 8 << 20) =>
  new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > limit) {
        reject(Object.assign(new Error(`the body is over ${limit} bytes`), { code: 'BODY_TOO_LARGE' }))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })

/** The request handler over an open catalog, rule book and pipeline. */
export function handler({ catalog, book, pipeline, today = () => new Date().toISOString().slice(0, 10) }) {
  return async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    try {
      if (req.method === 'OPTIONS') return json(res, 204, {})
      if (req.method === 'GET' && url.pathname === '/health') {
        return json(res, 200, { ok: true })
      }
      if (req.method === 'GET' && url.pathname === '/products/search') {
        const q = url.searchParams.get('q') ?? ''
        const limit = Number(url.searchParams.get('limit') ?? 10)
        return json(res, 200, await catalog.searchAsync(q, { limit }))
      }
      if (req.method === 'GET' && url.pathname.startsWith('/products/')) {
        const product = catalog.get(decodeURIComponent(url.pathname.slice('/products/'.length)))
        return product ? json(res, 200, product) : json(res, 404, { code: 'NOT_FOUND', message: 'no such product' })
      }
      if (req.method === 'POST' && url.pathname === '/commissions') {
        const invoice = JSON.parse((await readBody(req)).toString('utf8'))
        return json(res, 200, book.calculateWithCatalog(invoice, catalog))
      }
      if (req.method === 'POST' && url.pathname === '/invoices/upload') {
        const { registration, events } = await pipeline.registerAsync(await readBody(req), today())
        return json(res, 200, { registration, events })
      }
      return json(res, 404, { code: 'NOT_FOUND', message: `${req.method} ${url.pathname}` })
    } catch (e) {
      return json(res, 400, { code: e.code ?? (e instanceof SyntaxError ? 'INVALID_JSON' : 'ERROR'), message: e.message })
    }
  }
}

/** Opens (building on first use) the sample catalog index under `dir`. */
export async function openSample(dir, onProgress) {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const index = join(dir, 'catalog-index')
  if (!existsSync(join(index, 'manifest.json'))) {
    await Catalog.buildAsync(join(root, 'data/sample-catalog.csv.gz'), index, null, onProgress)
  }
  const catalog = Catalog.open(index)
  const book = RuleBook.embedded()
  // The samples are DIAN test-environment documents, with their sellers' keys in a table.
  const pipeline = Pipeline.open(index, {
    technicalKeys: join(root, 'data/invoices/technical-keys.csv'),
    environment: 'test',
  })
  return { catalog, book, pipeline }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const parts = await openSample(join(root, 'out'), (p) => process.stderr.write(`\rindexing: ${p.phase} ${p.done}`))
  const port = Number(process.env.PORT ?? 8080)
  http.createServer(handler(parts)).listen(port, () => console.log(`bmc-core server on http://localhost:${port}`))
}
