// The thin binding and the modules under it: both .wasm files export every function
// of include/shelf.h and import nothing but the memory-growth hook; the constants JS
// reads from C agree with the header; the C API works through capi alone.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bindInstance, imports } from '../src/binding.js';
import { ensureDemoModel, repoRoot, requireWasm } from '../scripts/artifacts.mjs';

const header = readFileSync(join(repoRoot, 'include', 'shelf.h'), 'utf8');
const wasmFiles = requireWasm();
const flavours = Object.entries(wasmFiles);

/** Function names declared in shelf.h: `type name(` at the start of a line. */
function declaredFunctions() {
  const names = [...header.matchAll(/^(?:const )?[a-z_0-9]+ \**(shelf_\w+)\(/gm)].map((m) => m[1]);
  assert.ok(names.length >= 25, `expected the header's functions, found ${names.length}`);
  return [...new Set(names)];
}

/** #define SHELF_X <number> and enum members SHELF_X = <number>, from shelf.h. */
function declaredConstants() {
  const constants = new Map();
  for (const m of header.matchAll(/^#define (SHELF_\w+) +(\d+)u?\b/gm)) constants.set(m[1], Number(m[2]));
  for (const m of header.matchAll(/^\s+(SHELF_\w+) = (\d+),?/gm)) constants.set(m[1], Number(m[2]));
  for (const name of ['SHELF_VERSION_MAJOR', 'SHELF_VERSION_MINOR', 'SHELF_VERSION_PATCH']) constants.delete(name);
  return constants;
}

async function instantiate(file) {
  const module = await WebAssembly.compile(readFileSync(file));
  return { module, binding: bindInstance(await WebAssembly.instantiate(module, imports)) };
}

for (const [flavour, file] of flavours) {
  test(`${flavour}: imports only the memory-growth hook`, async () => {
    const { module } = await instantiate(file);
    assert.deepEqual(WebAssembly.Module.imports(module), [
      { module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' },
    ]);
  });

  test(`${flavour}: exports and binds every function of shelf.h`, async () => {
    const { module, binding } = await instantiate(file);
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    for (const name of declaredFunctions()) {
      assert.ok(exported.has(name), `${name} is declared in shelf.h but not exported (src/wasm/wasm.cmake)`);
      assert.equal(typeof binding.capi[name], 'function', `${name} is not in capi`);
    }
  });

  test(`${flavour}: constants read from C agree with shelf.h`, async () => {
    const { binding } = await instantiate(file);
    const C = binding.constants;
    for (const [name, value] of declaredConstants()) {
      if (name in C) assert.equal(C[name], value, name);
    }
    // The ones the friendly layer relies on are all there.
    for (const name of ['SHELF_OK', 'SHELF_E_UNKNOWN_ITEM', 'SHELF_E_PARSE', 'SHELF_EXCLUDE_SEEN', 'SHELF_SCORER_ALL',
      'SHELF_SESSION_STATE_MAX', 'sizeof shelf_request', 'shelf_request.scorers', 'shelf_request.exclude_items',
      'shelf_request.exclude_count', 'sizeof shelf_result', 'shelf_result.reason_item']) {
      assert.ok(name in C, `${name} missing from the constants`);
    }
    // The worst case shelf.h derives: header, first time, then tag, 6-byte item key, time delta, weight per event.
    const capacity = C.SHELF_SESSION_CAPACITY;
    assert.equal(C.SHELF_SESSION_STATE_MAX, 3 + 8 + 1 + (capacity - 1) * 8 + capacity * (1 + 6 + 4) + 4); // + the CRC-32
    assert.equal(C.SHELF_NO_CATEGORY, 0xffffffff);
    assert.equal(C.SHELF_NO_ITEM, 0xffffffff);
    assert.equal(C.SHELF_FORMAT_VERSION, 2);
    // In wasm32 pointers are 32-bit too: results are 16 bytes, and the request's
    // fields follow one another, 4 bytes each, exclude_count last.
    assert.equal(C['sizeof shelf_result'], 16);
    assert.equal(C['shelf_request.exclude_items'], C['shelf_request.scorers'] + 4);
    assert.equal(C['shelf_request.exclude_count'] + 4, C['sizeof shelf_request']);
    assert.equal(C.SHELF_WASM_SIMD128, flavour === 'simd' ? 1 : 0);
    assert.equal(C.SHELF_VERSION_NUMBER, binding.capi.shelf_version_number());
  });

  test(`${flavour}: enum names from C match the enums of shelf.h`, async () => {
    const { binding } = await instantiate(file);
    const { capi, wasm } = binding;
    const constants = declaredConstants();
    for (const [name, value] of constants) {
      const event = /^SHELF_EVENT_(\w+)$/.exec(name);
      if (event && event[1] !== 'TYPE_COUNT') assert.equal(wasm.string(capi.shelf_event_type_name(value)), event[1].toLowerCase());
      const reason = /^SHELF_REASON_(\w+)$/.exec(name);
      if (reason && reason[1] !== 'COUNT') assert.equal(wasm.string(capi.shelf_reason_name(value)), reason[1].toLowerCase());
      if (/^SHELF_(OK|E_\w+)$/.test(name)) assert.equal(wasm.string(capi.shelf_status_name(value)), name);
    }
    // The scorers: SHELF_SCORER_LIST's entries in order, bit i each, named by shelf_scorer_name().
    const list = [...header.matchAll(/^\s+X\((\w+), "(\w+)"\)/gm)];
    assert.ok(list.length >= 5, 'SHELF_SCORER_LIST found in shelf.h');
    list.forEach(([, constant, name], i) => {
      assert.equal(binding.constants[`SHELF_SCORER_${constant}`], 1 << i, constant);
      assert.equal(wasm.string(capi.shelf_scorer_name(1 << i)), name);
    });
    assert.equal(binding.constants.SHELF_SCORER_ALL, (1 << list.length) - 1);
    assert.equal(capi.shelf_scorer_name(1 << list.length), 0);
  });

  test(`${flavour}: the C API through capi alone`, async () => {
    const { binding } = await instantiate(file);
    const { capi, constants: C, wasm } = binding;
    const out = wasm.alloc(8);

    // Not a model: a named status, and no handle written.
    const junk = wasm.allocBytes(new TextEncoder().encode('definitely not a model file'));
    wasm.u32()[out >> 2] = 12345;
    assert.equal(capi.shelf_model_open(junk, 27, out), C.SHELF_E_BAD_MAGIC);
    assert.equal(wasm.u32()[out >> 2], 12345);

    const modelFile = readFileSync(ensureDemoModel());
    const bytes = wasm.allocBytes(modelFile);
    assert.equal(capi.shelf_model_open(bytes, modelFile.length - 1, out), C.SHELF_E_TRUNCATED);
    assert.equal(capi.shelf_model_open(bytes, modelFile.length, out), C.SHELF_OK);
    const model = wasm.u32()[out >> 2];
    assert.ok(capi.shelf_model_item_count(model) > 1000);

    assert.equal(capi.shelf_session_create(model, out), C.SHELF_OK);
    const session = wasm.u32()[out >> 2];
    assert.equal(capi.shelf_session_track(session, 0, 0, 1700000000, 1), C.SHELF_OK);
    assert.equal(capi.shelf_session_track(session, 99, 0, 1700000000, 1), C.SHELF_E_BAD_EVENT);
    assert.equal(capi.shelf_session_track(session, 0, 0xfffffff0, 1700000000, 1), C.SHELF_E_UNKNOWN_ITEM);
    assert.equal(capi.shelf_session_event_count(session), 1);

    const request = wasm.alloc(C['sizeof shelf_request']);
    capi.shelf_request_init(request);
    assert.equal(wasm.u32()[(request + C['shelf_request.k']) >> 2], 10);
    wasm.u32()[(request + C['shelf_request.k']) >> 2] = 3;
    const results = wasm.alloc(3 * C['sizeof shelf_result']);
    assert.equal(capi.shelf_recommend(session, request, results, 3, out), C.SHELF_OK);
    assert.equal(wasm.u32()[out >> 2], 3);
    const first = wasm.u32()[(results + C['shelf_result.item']) >> 2];
    assert.ok(first < capi.shelf_model_item_count(model));
    assert.ok(wasm.string(capi.shelf_model_item_id(model, first, 0)).length > 0);

    capi.shelf_session_free(session);
    capi.shelf_model_close(model);
    capi.shelf_model_close(0); // NULL is a harmless no-op
    for (const p of [out, junk, bytes, request, results]) wasm.free(p);
  });
}

test('alloc refuses sizes a wasm32 size_t cannot hold, instead of wrapping them', async () => {
  const { binding } = await instantiate(wasmFiles.simd);
  const { wasm } = binding;
  // 2**32 + 16 would reach malloc as 16.
  for (const size of [2 ** 32, 2 ** 32 + 16, -1, 1.5, NaN]) {
    assert.throws(() => wasm.alloc(size), (e) => e.code === 'SHELF_E_BAD_ARGUMENT' && /4294967295/.test(e.message), String(size));
  }
  assert.throws(() => wasm.alloc(2 ** 32 - 1), RangeError); // fits a size_t, not the memory
  wasm.free(wasm.alloc(0));
});

test('the scalar module has no SIMD instruction and the SIMD module has some', () => {
  const simdOps = (file) =>
    execFileSync('wasm-objdump', ['-d', file], { maxBuffer: 64 << 20, encoding: 'utf8' })
      .split('\n')
      .filter((line) => /\b(v128|[if](8x16|16x8|32x4|64x2))\./.test(line)).length;
  assert.equal(simdOps(wasmFiles.scalar), 0, 'shelf-scalar.wasm must run on engines without SIMD128');
  assert.ok(simdOps(wasmFiles.simd) > 0, 'shelf-simd.wasm has no SIMD128 instruction');
});
