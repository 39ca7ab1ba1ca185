// Commissions from Node: the rule cases beside the rules, money as strings, errors, batches.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { parse } from 'smol-toml'

const require = createRequire(import.meta.url)
const { RuleBook } = require('../index.js')
const rulesDir = fileURLToPath(new URL('../../../rules/registro-facturas', import.meta.url))
const book = RuleBook.load(rulesDir)

const cases = readdirSync(`${rulesDir}/cases`)
  .filter((f) => f.endsWith('.toml'))
  .sort()
  .flatMap((f) => parse(readFileSync(`${rulesDir}/cases/${f}`, 'utf8')).case.map((c) => ({ file: f, ...c })))

const invoiceOf = (c) => ({
  issueDate: c.issue_date,
  lines: c.lines.map((l) => ({ tariffCode: l.tariff_code, productCode: l.product_code, base: l.base })),
})

test('at least 40 rule cases', () => {
  assert.ok(cases.length >= 40, `${cases.length} cases`)
})

for (const c of cases) {
  test(`rule case ${c.file}: ${c.name}`, () => {
    const options = { asOf: c.as_of, trace: true }
    if (c.expect.error) {
      assert.throws(() => book.calculate(invoiceOf(c), options), { code: c.expect.error })
      return
    }
    const r = book.calculate(invoiceOf(c), options)
    assert.equal(r.eligible, c.expect.eligible)
    assert.equal(r.fee, c.expect.fee)
    assert.equal(r.iva, c.expect.iva)
    assert.equal(r.total, c.expect.total)
    assert.equal(r.limit, c.expect.limit)
    assert.equal(r.ruleSet.validFrom, c.expect.rule_set_version)
    for (const [key, value] of Object.entries(c.expect.trace ?? {})) {
      const step = r.trace.find((s) => s.key === key)
      assert.ok(step, `trace ${key}`)
      // Intermediate amounts carry the scale their arithmetic gave them: compare as numbers
      // written out, by stripping trailing zeros of the fraction.
      const norm = (s) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s)
      assert.equal(norm(step.value), norm(value), key)
    }
  })
}

test('scale is preserved and results are typed', () => {
  const r = book.calculate({
    issueDate: '2026-03-01',
    lines: [{ id: '1', tariffCode: '0901.11.90.00', base: '1250000000.00' }],
  })
  assert.equal(r.fee, '593750')
  assert.equal(r.groups[0].base, '1250000000.00')
  assert.equal(r.lines[0].tariffCode, '0901119000')
  assert.equal(r.trace.length, 0)
  assert.deepEqual(book.versions().map((v) => v.validFrom), ['2025-01-01', '2026-01-01'])
  assert.deepEqual(
    RuleBook.embedded().versions().map((v) => v.hash),
    book.versions().map((v) => v.hash),
  )
  assert.equal(book.inForce('2025-12-31').validFrom, '2025-01-01')
})

test('a JS number where money is expected is refused', () => {
  assert.throws(
    () => book.calculate({ issueDate: '2026-03-01', lines: [{ tariffCode: '0901119000', base: 100 }] }),
    { code: 'INVALID_ARGUMENT', message: /lines\[0\]\.base must be a decimal string/ },
  )
})

test('errors carry the core code', () => {
  assert.throws(
    () => book.calculate({ issueDate: '2024-01-01', lines: [{ tariffCode: '0901119000', base: '1' }] }),
    { code: 'RULESET_NOT_IN_FORCE' },
  )
  assert.throws(
    () => book.calculate({ issueDate: '2026-01-01', lines: [{ tariffCode: '7701000000', base: '1' }] }),
    { code: 'COMMISSION_INVALID_LINE', message: /line 1/ },
  )
  assert.throws(() => RuleBook.load('/no/such/rules'), { code: 'RULES_IO' })
})

test('calculateBatch runs off the JS thread and matches calculate', async () => {
  const invoices = Array.from({ length: 500 }, (_, n) => ({
    issueDate: '2026-03-01',
    lines: [{ tariffCode: '0803901200', base: `${(n + 1) * 1000003}.25` }],
  }))
  const pending = book.calculateBatch(invoices)
  assert.ok(pending instanceof Promise)
  const results = await pending
  assert.deepEqual(
    results.map((r) => r.total),
    invoices.map((i) => book.calculate(i).total),
  )
  await assert.rejects(
    book.calculateBatch([{ issueDate: '2020-01-01', lines: [] }]),
    { code: 'RULESET_NOT_IN_FORCE' },
  )
  // The failing invoice is named.
  await assert.rejects(
    book.calculateBatch([invoices[0], invoices[1], { issueDate: '2020-01-01', lines: [] }]),
    { code: 'RULESET_NOT_IN_FORCE', message: /^invoices\[2\]: / },
  )
})

test('reload swaps the rules and keeps them when the new ones are broken', async () => {
  const { cpSync, mkdtempSync, readFileSync: read, writeFileSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(`${tmpdir()}/bmc-rules-`)
  cpSync(rulesDir, dir, { recursive: true })
  const local = RuleBook.load(dir)
  const invoice = { issueDate: '2026-03-01', lines: [{ tariffCode: '0803901200', base: '1000000000' }] }
  assert.equal(local.calculate(invoice).fee, '800000')
  const groups = `${dir}/2026-01-01/groups.csv`
  writeFileSync(groups, read(groups, 'utf8').replace('0.08', '0.09'))
  assert.equal(local.reload(), dir)
  assert.equal(local.calculate(invoice).fee, '900000')
  writeFileSync(groups, 'broken\n')
  assert.throws(() => local.reload(), { code: 'RULES_INVALID_TABLE' })
  assert.equal(local.calculate(invoice).fee, '900000')
  assert.throws(() => RuleBook.embedded().reload(), { code: 'RULES_IO' })
  rmSync(dir, { recursive: true })
})
