// Behaviour of the Node API beyond the shared vectors: errors, money, ids.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const { nit, ids, codes, cufe } = require('../index.js')

const annex = {
  number: '323200000129',
  issueDate: '2019-01-16',
  issueTime: '10:53:10-05:00',
  subtotal: '1500000.00',
  iva: '285000.00',
  inc: '0.00',
  ica: '0.00',
  total: '1785000.00',
  sellerNit: '700085371',
  buyerId: '800199436',
  technicalKey: '693ff6f2a553c3646a063436fd4dd9ded0311471',
  environment: 1,
}

test('errors are Error instances with the core code and a clear message', () => {
  assert.throws(() => nit.validate('800197268-5'), (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'NIT_INVALID_CHECKSUM')
    assert.match(e.message, /check digit is 5 but the base number gives 4/)
    return true
  })
  assert.throws(() => codes.validateCode('020', '7701000000'), { code: 'TARIFF_CHAPTER_UNKNOWN' })
  assert.throws(() => ids.idTypeName('99'), { code: 'ID_TYPE_UNKNOWN' })
})

test('money must be a decimal string, never a JS number', () => {
  assert.throws(() => cufe.compute({ ...annex, subtotal: 1500000 }), {
    code: 'INVALID_ARGUMENT',
    message: /subtotal must be a decimal string/,
  })
  assert.throws(() => cufe.compute({ ...annex, iva: 'doscientos' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => cufe.compute({ ...annex, iva: '285000.001' }), { code: 'CUFE_INVALID_AMOUNT' })
})

test('the annex CUFE, and a mismatch names both codes', () => {
  const code = cufe.compute(annex)
  assert.ok(code.startsWith('8bb918b19ba22a694f1da11c643b5e9d'))
  assert.throws(() => cufe.verify(code, { ...annex, total: '1785000.01' }), (e) => {
    assert.equal(e.code, 'CUFE_MISMATCH')
    assert.ok(e.message.includes(code))
    return true
  })
  assert.throws(() => cufe.compute({ ...annex, technicalKey: undefined }), { code: 'INVALID_ARGUMENT' })
})

test('ids and HS descriptions', () => {
  assert.equal(ids.FINAL_CONSUMER_ID, '222222222222')
  assert.ok(ids.isFinalConsumer('222.222.222.222'))
  assert.deepEqual(
    ids.idTypes().find((t) => t.code === '31'),
    { code: '31', name: 'NIT', hasCheckDigit: true },
  )
  const d = codes.describeTariff('0901.11.90.00')
  assert.equal(d.formatted, '0901.11.90.00')
  assert.equal(d.subheading.description, 'Coffee; not roasted or decaffeinated')
  assert.equal(codes.gs1CheckDigit('770200400350'), 8)
})

test('the ErrorCode type lists exactly the core codes and INVALID_ARGUMENT', () => {
  const { errorCodes } = require('../index.js')
  const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
  const union = dts.slice(dts.indexOf('export type ErrorCode ='), dts.indexOf('/** Every error bmc-core throws'))
  const typed = [...union.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]).sort()
  assert.deepEqual(typed, [...errorCodes(), 'INVALID_ARGUMENT'].sort())
})
