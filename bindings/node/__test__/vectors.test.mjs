// The shared identifier vectors (tests/vectors/dian.json), also run by Rust and Python.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { nit, codes, cufe, cude } = require('../index.js')
const vectors = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/dian.json', import.meta.url), 'utf8'),
)

const codeOf = (fn) => {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error)
    return e.code
  }
  return null
}

test('NIT vectors', () => {
  for (const v of vectors.nit) {
    assert.equal(nit.compact(v.input), v.compact, v.input)
    assert.equal(nit.isValid(v.input), v.valid, v.input)
    if (v.valid) assert.equal(nit.validate(v.input), v.compact)
    else assert.equal(codeOf(() => nit.validate(v.input)), v.error, v.input)
    if (v.formatted === null) assert.equal(codeOf(() => nit.format(v.input)), 'NIT_INVALID_LENGTH')
    else assert.equal(nit.format(v.input), v.formatted)
  }
  for (const v of vectors.nit_check_digit) {
    assert.equal(nit.calcCheckDigit(v.base), v.check_digit)
  }
})

test('product code vectors', () => {
  for (const v of vectors.product_codes) {
    assert.equal(codes.isValidCode(v.scheme, v.input), v.valid, `${v.scheme} ${v.input}`)
    if (v.valid) {
      assert.equal(codes.validateCode(v.scheme, v.input), v.normalized)
      assert.equal(codes.formatCode(v.scheme, v.input), v.formatted)
    } else {
      assert.equal(codeOf(() => codes.validateCode(v.scheme, v.input)), v.error)
    }
  }
})

test('HS 2022 vectors', () => {
  for (const v of vectors.hs) {
    const entry = codes.hsLookup(v.code)
    if (v.description === null) assert.equal(entry, null)
    else {
      assert.equal(entry.description, v.description)
      assert.equal(entry.level, v.level)
    }
  }
})

const fieldsOf = (f, keyName) => ({
  number: f.number,
  issueDate: f.issue_date,
  issueTime: f.issue_time,
  subtotal: f.subtotal,
  iva: f.iva,
  inc: f.inc,
  ica: f.ica,
  total: f.total,
  sellerNit: f.seller_nit,
  buyerId: f.buyer_id,
  [keyName]: f.key,
  environment: f.environment,
})

test('CUFE and CUDE vectors', () => {
  for (const v of vectors.cufe) {
    const fields = fieldsOf(v.fields, 'technicalKey')
    assert.equal(cufe.preimage(fields), v.preimage)
    assert.equal(cufe.compute(fields), v.cufe)
    assert.equal(cufe.verify(v.cufe.toUpperCase(), fields), v.cufe)
    assert.equal(cude.compute(fieldsOf(v.fields, 'softwarePin')), v.cufe)
  }
  for (const v of vectors.cufe_errors) {
    assert.equal(codeOf(() => cufe.compute(fieldsOf(v.fields, 'technicalKey'))), v.error)
  }
})
