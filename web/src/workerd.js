// The package's entry point for edge runtimes (the "workerd" condition of its
// exports, which wrangler and workerd-targeting bundlers resolve): the two .wasm
// files are imported here, so the runtime compiles them as modules of the Worker
// and Shelf.load() needs no `wasm` option. Otherwise the same as index.js.

import simd from '../dist/shelf-simd.wasm';
import scalar from '../dist/shelf-scalar.wasm';
import { useBundledWasm } from './load.js';

useBundledWasm({ simd, scalar });

export * from './index.js';
