// Validate a seller's NIT and an invoice line's product code, compute the invoice's CUFE, and
// the exchange's commission on it with the rule set in force.
// Run with the addon built: `node examples/node/identifiers.mjs`.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { nit, codes, cufe, RuleBook } = require(process.env.BMC_CORE_MODULE ?? '../../bindings/node/index.js')

const seller = nit.validate('800.197.268-4')
console.log(`seller NIT ${nit.format(seller)} (base ${seller.slice(0, -1)}, DV ${seller.at(-1)})`)

const tariff = codes.describeTariff('0901119000')
console.log(`line product ${tariff.formatted}: ${tariff.subheading.description}`)

try {
  nit.validate('800.197.268-5')
} catch (e) {
  console.log(`rejected: ${e.message} (${e.code})`)
}

const code = cufe.compute({
  number: 'SETP990000002',
  issueDate: '2026-03-01',
  issueTime: '08:05:00-05:00',
  subtotal: '1250000.00',
  iva: '237500.00',
  inc: '0',
  ica: '0',
  total: '1487500.00',
  sellerNit: seller.slice(0, -1),
  buyerId: '900373115',
  technicalKey: 'fc8eac422eba16e22ffd8c6f94b3f40a6e38162c',
  environment: 2,
})
console.log(`CUFE ${code}`)

const book = RuleBook.embedded()
const c = book.calculate({
  issueDate: '2026-03-01',
  lines: [{ id: '1', tariffCode: '0901119000', base: '1250000.00' }],
})
console.log(
  `commission ${c.ruleSet.id} ${c.ruleSet.validFrom}: fee ${c.fee} iva ${c.iva} total ${c.total} (limit: ${c.limit})`,
)
