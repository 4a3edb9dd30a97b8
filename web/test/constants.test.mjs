// The string-literal unions of src/index.d.ts name what the C library names (event
// types, reasons, scorers, statuses): each must list exactly the names the wasm
// module gives, so a name added on one side only fails here.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bindInstance, imports } from '../src/binding.js';
import { requireWasm, webRoot } from '../scripts/artifacts.mjs';

const declarations = readFileSync(join(webRoot, 'src', 'index.d.ts'), 'utf8');
const wasmFiles = requireWasm();

/** Every `export type Name = 'a' | 'b' ...;` whose members are all string literals. */
function literalUnions(text) {
  const unions = new Map();
  for (const [, name, body] of text.matchAll(/^export type (\w+) =([^;]*);/gm)) {
    const members = body.split('|').map((member) => member.trim()).filter(Boolean);
    if (members.every((member) => /^'[^']*'$/.test(member))) unions.set(name, members.map((m) => m.slice(1, -1)));
  }
  return unions;
}

/** name(0), name(1), ... until C answers NULL (or, for statuses, its unknown name). */
function namesFromC(wasm, name, end = null) {
  const names = [];
  for (let i = 0; ; i++) {
    const text = wasm.string(name(i));
    if (text === end) return names;
    names.push(text);
    assert.ok(i < 1000, 'C never stopped naming');
  }
}

/** The C names each union of index.d.ts mirrors. */
function cNames({ capi, constants: C, wasm }) {
  const eventTypes = namesFromC(wasm, capi.shelf_event_type_name);
  const reasons = namesFromC(wasm, capi.shelf_reason_name);
  assert.equal(eventTypes.length, C.SHELF_EVENT_TYPE_COUNT);
  assert.equal(reasons.length, C.SHELF_REASON_COUNT);
  // One name per bit of SHELF_SCORER_ALL, as src/model.js reads them.
  const scorers = [];
  for (let bit = 1; bit & C.SHELF_SCORER_ALL; bit <<= 1) scorers.push(wasm.string(capi.shelf_scorer_name(bit)));
  // A ShelfError's code is a failure: every status but SHELF_OK.
  const statuses = namesFromC(wasm, capi.shelf_status_name, 'SHELF_E_UNKNOWN_STATUS');
  assert.equal(statuses[0], 'SHELF_OK');
  const aliases = [];
  for (let i = 0, name; (name = capi.shelf_event_alias(i, 0)); i++) {
    aliases.push(wasm.string(name));
    assert.ok(i < 1000, 'C never stopped naming');
  }
  return { AnalyticsEventName: aliases, EventType: eventTypes, Reason: reasons, Scorer: scorers, StatusCode: statuses.slice(1) };
}

test('the literal unions of index.d.ts are found', () => {
  const unions = literalUnions(declarations);
  assert.deepEqual([...unions.keys()].sort(), ['AnalyticsEventName', 'EventType', 'Reason', 'Scorer', 'StatusCode'],
    'a new union of names in index.d.ts: check it against C in this test');
  for (const [name, members] of unions) assert.ok(members.length > 1, `${name}: ${members}`);
});

for (const [flavour, file] of Object.entries(wasmFiles)) {
  test(`${flavour}: every union of index.d.ts lists exactly the names C gives`, async () => {
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(file)), imports);
    const unions = literalUnions(declarations);
    const problems = []; // all of them at once, not just the first
    for (const [union, fromC] of Object.entries(cNames(bindInstance(instance)))) {
      const declared = unions.get(union) ?? [];
      for (const name of fromC) if (!declared.includes(name)) problems.push(`${union}: C has '${name}', index.d.ts does not`);
      for (const name of declared) if (!fromC.includes(name)) problems.push(`${union}: index.d.ts has '${name}', C does not`);
      if (new Set(declared).size !== declared.length) problems.push(`${union}: index.d.ts lists a name twice`);
    }
    assert.deepEqual(problems, []);
  });
}
