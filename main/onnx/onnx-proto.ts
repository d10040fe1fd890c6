// A hand-written protobuf encoder for the parts of onnx.proto an exported decoder needs (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto with external data, ValueInfoProto). Field numbers from onnx/onnx.proto.
// Encodes only; never parses. Large weights go to an external file, so the protobuf stays far below 2 GiB.

export enum OnnxDataType { FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, BFLOAT16 = 16 }

enum AttrType { FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7 }

export type OnnxAttr = { f: number } | { i: number } | { s: string } | { t: OnnxTensor } | { floats: readonly number[] } | { ints: readonly number[] };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  readonly domain?: string;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  /** Inline little-endian bytes, or a reference into the external data file. */
  readonly raw?: Uint8Array;
  readonly external?: { readonly location: string; readonly offset: number; readonly length: number };
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  /** Fixed sizes or symbolic names ('batch', 'sequence' …). */
  readonly shape: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: OnnxGraph;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Protobuf wire format: varints, length-delimited fields, fixed32 floats. */
class Pb {
  private parts: Uint8Array[] = [];
  private scratch: number[] = [];
  length = 0;

  private flush(): void {
    if (this.scratch.length) {
      const b = Uint8Array.from(this.scratch);
      this.parts.push(b);
      this.length += b.length;
      this.scratch = [];
    }
  }
  private varint(v: number | bigint): void {
    // int64 fields: negative values are ten-byte two's complement varints.
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x) byte |= 0x80;
      this.scratch.push(byte);
    } while (x);
  }
  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.scratch.push(...b);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.flush();
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }
  message(field: number, m: Pb): this {
    return this.bytes(field, m.finish());
  }
  packedInts(field: number, values: readonly number[]): this {
    const inner = new Pb();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function tensorPb(t: OnnxTensor): Pb {
  const pb = new Pb();
  for (const d of t.dims) pb.int(1, d); // dims (repeated int64, unpacked is always accepted)
  pb.int(2, t.dataType);
  pb.string(8, t.name);
  if (t.raw) pb.bytes(9, t.raw);
  if (t.external) {
    for (const [k, v] of [['location', t.external.location], ['offset', String(t.external.offset)], ['length', String(t.external.length)]]) {
      pb.message(13, new Pb().string(1, k!).string(2, v!));
    }
    pb.int(14, 1); // data_location = EXTERNAL
  }
  return pb;
}

function attrPb(name: string, a: OnnxAttr): Pb {
  const pb = new Pb().string(1, name);
  if ('f' in a) pb.float(2, a.f).int(20, AttrType.FLOAT);
  else if ('i' in a) pb.int(3, a.i).int(20, AttrType.INT);
  else if ('s' in a) pb.string(4, a.s).int(20, AttrType.STRING);
  else if ('t' in a) pb.message(5, tensorPb(a.t)).int(20, AttrType.TENSOR);
  else if ('floats' in a) pb.packedFloats(7, a.floats).int(20, AttrType.FLOATS);
  else pb.packedInts(8, a.ints).int(20, AttrType.INTS);
  return pb;
}

function nodePb(n: OnnxNode): Pb {
  const pb = new Pb();
  for (const i of n.inputs) pb.string(1, i);
  for (const o of n.outputs) pb.string(2, o);
  pb.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) pb.message(5, attrPb(k, v));
  if (n.domain) pb.string(7, n.domain);
  return pb;
}

function valueInfoPb(v: OnnxValueInfo): Pb {
  const shape = new Pb();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new Pb().int(1, d) : new Pb().string(2, d));
  const tensorType = new Pb().int(1, v.elemType).message(2, shape);
  return new Pb().string(1, v.name).message(2, new Pb().message(1, tensorType));
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const g = new Pb();
  for (const n of m.graph.nodes) g.message(1, nodePb(n));
  g.string(2, m.graph.name);
  for (const t of m.graph.initializers) g.message(5, tensorPb(t));
  for (const i of m.graph.inputs) g.message(11, valueInfoPb(i));
  for (const o of m.graph.outputs) g.message(12, valueInfoPb(o));
  const pb = new Pb().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  pb.message(7, g);
  for (const o of m.opsets) pb.message(8, new Pb().string(1, o.domain).int(2, o.version));
  for (const [k, v] of Object.entries(m.metadata ?? {})) pb.message(14, new Pb().string(1, k).string(2, v));
  return pb.finish();
}
