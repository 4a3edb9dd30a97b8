// A tiny ONNX writer: just enough of onnx.proto's ModelProto, in protobuf's wire
// format, to hand onnxruntime-web the two scoring graphs of the peer benchmark
// (there is no Python onnx package here). Field numbers are those of onnx.proto
// (IR version 8, opset 13).
//
//   float32: scores = MatMul(query [1, D], items [D, N])              (float32)
//   int8:    scores = Cast<float>(MatMulInteger(query [1, D] uint8 - 128, items [D, N] int8))
//                     * rowScales [N] * queryScale [1]
//   both:    values, indices = TopK(scores, k)   (largest, sorted, last axis)

// Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
const VARINT = 0;
const BYTES = 2;

/** TensorProto.DataType */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 };
/** AttributeProto.AttributeType */
const AttributeType = { FLOAT: 1, INT: 2 };

/** A protobuf message: fields appended in order, then bytes(). */
class Message {
  #parts = [];
  #size = 0;

  #push(bytes) {
    this.#parts.push(bytes);
    this.#size += bytes.length;
  }

  #varint(value) {
    let v = BigInt.asUintN(64, BigInt(value)); // negative int64s take ten bytes, as protobuf says
    const out = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      out.push(byte);
    } while (v);
    this.#push(Uint8Array.from(out));
  }

  #key(field, wireType) {
    this.#varint((field << 3) | wireType);
  }

  int(field, value) {
    this.#key(field, VARINT);
    this.#varint(value);
    return this;
  }

  bytes(field, bytes) {
    this.#key(field, BYTES);
    this.#varint(bytes.length);
    this.#push(bytes);
    return this;
  }

  string(field, text) {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field, message) {
    return this.bytes(field, message.toBytes());
  }

  toBytes() {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian). */
export function tensor(name, dataType, dims, typedArray) {
  const t = new Message();
  for (const d of dims) t.int(1, d);
  t.int(2, dataType);
  t.string(8, name);
  t.bytes(9, new Uint8Array(typedArray.buffer, typedArray.byteOffset, typedArray.byteLength));
  return t;
}

/** ValueInfoProto: name (1), type (2) = TypeProto { tensor_type (1) = { elem_type (1),
 * shape (2) = TensorShapeProto { dim (1) = { dim_value (1) } } } }. */
function valueInfo(name, elemType, dims) {
  const shape = new Message();
  for (const d of dims) shape.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, elemType).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5). */
function node(opType, inputs, outputs, attributes = {}) {
  const n = new Message();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${opType.toLowerCase()}_${outputs[0]}`);
  n.string(4, opType);
  for (const [name, value] of Object.entries(attributes)) {
    // AttributeProto: name (1), i (3), type (20); only int attributes are needed here.
    n.message(5, new Message().string(1, name).int(3, value).int(20, AttributeType.INT));
  }
  return n;
}

/** ModelProto: ir_version (1), producer_name (2), graph (7), opset_import (8) =
 * OperatorSetIdProto { domain (1), version (2) }. GraphProto: node (1), name (2),
 * initializer (5), input (11), output (12). */
function model({ nodes, initializers, inputs, outputs, name }) {
  const graph = new Message();
  for (const n of nodes) graph.message(1, n);
  graph.string(2, name);
  for (const t of initializers) graph.message(5, t);
  for (const i of inputs) graph.message(11, i);
  for (const o of outputs) graph.message(12, o);
  return new Message()
    .int(1, 8)
    .string(2, 'shelf-bench-peers')
    .message(7, graph)
    .message(8, new Message().string(1, '').int(2, 13))
    .toBytes();
}

/** The [D, N] transpose of row-major [N, D] rows (any typed array). */
function transpose(rows, n, d) {
  const out = new rows.constructor(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[j * n + i] = rows[i * d + j];
  return out;
}

const topkOutputs = (k) => [valueInfo('values', DataType.FLOAT, [1, k]), valueInfo('indices', DataType.INT64, [1, k])];
const topk = (k) => [
  tensor('k', DataType.INT64, [1], BigInt64Array.of(BigInt(k))),
  node('TopK', ['scores', 'k'], ['values', 'indices'], { axis: -1, largest: 1, sorted: 1 }),
];

/** float32: input `query` [1, D] float; `rows` is the row-major [N, D] Float32Array. */
export function floatScoringModel(rows, n, d, k) {
  const [kTensor, topkNode] = topk(k);
  return model({
    name: 'score_f32',
    nodes: [node('MatMul', ['query', 'items'], ['scores']), topkNode],
    initializers: [tensor('items', DataType.FLOAT, [d, n], transpose(rows, n, d)), kTensor],
    inputs: [valueInfo('query', DataType.FLOAT, [1, d])],
    outputs: topkOutputs(k),
  });
}

/** int8: inputs `query` [1, D] uint8 (the int8 codes + 128, with a zero point of
 * 128: MLAS's fast path is uint8 x int8; int8 x int8 measured 8x slower) and
 * `query_scale` [1] float; `codes` is the row-major [N, D] Int8Array, `scales` the
 * Float32Array of N row scales. */
export function int8ScoringModel(codes, scales, n, d, k) {
  const [kTensor, topkNode] = topk(k);
  return model({
    name: 'score_i8',
    nodes: [
      node('MatMulInteger', ['query', 'items', 'query_zero_point'], ['dots']),
      node('Cast', ['dots'], ['dots_f32'], { to: DataType.FLOAT }),
      node('Mul', ['dots_f32', 'row_scales'], ['scaled']),
      node('Mul', ['scaled', 'query_scale'], ['scores']),
      topkNode,
    ],
    initializers: [
      tensor('items', DataType.INT8, [d, n], transpose(codes, n, d)),
      tensor('row_scales', DataType.FLOAT, [n], scales),
      kTensor,
      tensor('query_zero_point', DataType.UINT8, [], Uint8Array.of(128)),
    ],
    inputs: [valueInfo('query', DataType.UINT8, [1, d]), valueInfo('query_scale', DataType.FLOAT, [1])],
    outputs: topkOutputs(k),
  });
}
