/**
 * A minimal protobuf wire-format reader: varints, length-delimited fields, fixed 32/64-bit fields.
 * Every read is bounds-checked; malformed input raises ProtoDecodeError, never an out-of-range read.
 */

/** Malformed protobuf input. */
export class ProtoDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtoDecodeError";
  }
}

/** Protobuf wire types. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** One decoded field header. */
export interface FieldTag { field: number; wireType: number }

const utf8 = new TextDecoder("utf-8");

/** Sequential reader over one message's bytes. */
export class ProtoReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** True when every byte has been consumed. */
  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Reads a varint as an unsigned 64-bit value. */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtoDecodeError("unexpected EOF");
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 1) throw new ProtoDecodeError("integer overflow");
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return result;
    }
    throw new ProtoDecodeError("integer overflow");
  }

  /** Reads a field header; field numbers must be positive. */
  tag(): FieldTag {
    const v = this.varint();
    const field = Number(v >> 3n);
    if (field <= 0 || field > 0x1fffffff) throw new ProtoDecodeError(`illegal tag ${field}`);
    return { field, wireType: Number(v & 7n) };
  }

  /** Reads an int64 field (two's complement varint) as a number. */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varint()));
  }

  /** Reads an int32 field (sign-extended varint) as a number. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** Reads a bool field. */
  bool(): boolean {
    return this.varint() !== 0n;
  }

  /** Reads a length-delimited field's payload (a view, not a copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > BigInt(this.buf.length - this.pos)) throw new ProtoDecodeError("unexpected EOF");
    const start = this.pos;
    this.pos += Number(len);
    return this.buf.subarray(start, this.pos);
  }

  /** Reads a length-delimited field as UTF-8 text. */
  string(): string {
    return utf8.decode(this.bytes());
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint: this.varint(); return;
      case WireType.fixed64: this.advance(8); return;
      case WireType.bytes: this.bytes(); return;
      case WireType.fixed32: this.advance(4); return;
      default: throw new ProtoDecodeError(`illegal wireType ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.buf.length - this.pos < n) throw new ProtoDecodeError("unexpected EOF");
    this.pos += n;
  }
}

/** Checks that a field has the wire type its schema expects. */
export function expectWireType(tag: FieldTag, wireType: number): void {
  if (tag.wireType !== wireType) throw new ProtoDecodeError(`wrong wireType = ${tag.wireType} for field ${tag.field}`);
}
