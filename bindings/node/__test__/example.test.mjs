// examples/node/identifiers.mjs prints exactly the Rust and Python examples' output.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

test('the Node example prints the shared expected output', () => {
  const example = fileURLToPath(new URL('../../../examples/node/identifiers.mjs', import.meta.url))
  const out = execFileSync(process.execPath, [example], { encoding: 'utf8' })
  const expected = readFileSync(
    new URL('../../../examples/identifiers.expected.txt', import.meta.url),
    'utf8',
  )
  assert.equal(out, expected)
})
