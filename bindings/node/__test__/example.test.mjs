// examples/node/<name>.mjs prints exactly the Rust and Python examples' output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))

for (const name of ['identifiers', 'invoices', 'register']) {
  test(`the Node ${name} example prints the shared expected output`, () => {
    const example = fileURLToPath(new URL(`../../../examples/node/${name}.mjs`, import.meta.url))
    const out = execFileSync(process.execPath, [example], { encoding: 'utf8', cwd: root })
    const expected = readFileSync(new URL(`../../../examples/${name}.expected.txt`, import.meta.url), 'utf8')
    assert.equal(out, expected)
  })
}
