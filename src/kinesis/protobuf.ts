// A minimal protobuf wire-format reader: just enough for the KPL AggregatedRecord message.
// Throws ProtobufError on anything malformed so the caller can treat the payload as a plain record.

export class ProtobufError extends Error {
  override readonly name = "ProtobufError";
}

export interface Field {
  /** Field number. */
  no: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: number;
  /** Varint value (wire type 0); fixed values are skipped and left undefined. */
  varint?: bigint;
  /** Payload of a length-delimited field (a view, not a copy). */
  bytes?: Uint8Array;
}

export class ProtobufReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufError("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError("varint longer than 10 bytes");
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new ProtobufError("length beyond end of message");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads the next field (tag + value). */
  field(): Field {
    const tag = this.varint();
    const no = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (no === 0) throw new ProtobufError("field number 0");
    switch (wireType) {
      case 0:
        return { no, wireType, varint: this.varint() };
      case 1:
        this.take(8);
        return { no, wireType };
      case 2: {
        const len = this.varint();
        if (len > BigInt(this.buf.length)) throw new ProtobufError("length beyond end of message");
        return { no, wireType, bytes: this.take(Number(len)) };
      }
      case 5:
        this.take(4);
        return { no, wireType };
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
}

/** Every field of a message, in wire order. */
export function readFields(buf: Uint8Array): Field[] {
  const reader = new ProtobufReader(buf);
  const fields: Field[] = [];
  while (!reader.done) fields.push(reader.field());
  return fields;
}
