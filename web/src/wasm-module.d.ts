// The package's .wasm subpaths ('shelf-recs/shelf-simd.wasm', 'shelf-recs/shelf-scalar.wasm'),
// for Shelf.load's `wasm` option. What an import gives depends on the tool that
// resolves it: a bundler's file or asset loader gives a URL (esbuild's
// --loader:.wasm=file, Vite's ?url), an edge runtime's module rules give the
// compiled module (wrangler, workerd). Shelf.load takes either.
declare const wasm: string | WebAssembly.Module;
export default wasm;
