/**
 * The DNS wire format (RFC 1035), as much of it as a cluster DNS server needs: read one question,
 * write an answer of A, SRV or PTR records. Names in answers point back at the question's name
 * (compression pointer 0xC00C) when they are the same name, as most servers write them.
 */

export const TYPE = { A: 1, PTR: 12, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
const CLASS_IN = 1;

export interface Question {
  readonly id: number;
  /** Recursion desired, echoed back. */
  readonly rd: boolean;
  /** Lower case, without the trailing dot. */
  readonly name: string;
  readonly type: number;
  /** The question section's bytes, copied into the answer as they came. */
  readonly raw: Buffer;
}

export type Record =
  | { readonly type: typeof TYPE.A; readonly name: string; readonly ip: string }
  | { readonly type: typeof TYPE.PTR; readonly name: string; readonly target: string }
  | {
      readonly type: typeof TYPE.SRV;
      readonly name: string;
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    };

export class MessageError extends Error {}

/** The first question of a query; throws MessageError on anything malformed. */
export function parseQuery(msg: Buffer): Question {
  if (msg.length < 12) throw new MessageError('short header');
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) throw new MessageError('not a query');
  if (msg.readUInt16BE(4) < 1) throw new MessageError('no question');
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = msg[offset];
    if (length === undefined) throw new MessageError('name runs past the end');
    offset += 1;
    if (length === 0) break;
    if (length > 63) throw new MessageError('compressed or long label in a question');
    if (offset + length > msg.length) throw new MessageError('label runs past the end');
    labels.push(msg.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > msg.length) throw new MessageError('question runs past the end');
  const type = msg.readUInt16BE(offset);
  return {
    id,
    rd: (flags & 0x0100) !== 0,
    name: labels.join('.').toLowerCase(),
    type,
    raw: msg.subarray(12, offset + 4),
  };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter((p) => p !== '');
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])),
    Buffer.from([0]),
  ]);
}

function encodeRecord(record: Record, questionName: string, ttl: number): Buffer {
  const owner = record.name === questionName ? Buffer.from([0xc0, 0x0c]) : encodeName(record.name);
  let rdata: Buffer;
  if (record.type === TYPE.A) rdata = Buffer.from(record.ip.split('.').map(Number));
  else if (record.type === TYPE.PTR) rdata = encodeName(record.target);
  else {
    const head = Buffer.alloc(6);
    head.writeUInt16BE(record.priority, 0);
    head.writeUInt16BE(record.weight, 2);
    head.writeUInt16BE(record.port, 4);
    rdata = Buffer.concat([head, encodeName(record.target)]);
  }
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(record.type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, fixed, rdata]);
}

/** An authoritative answer to `question`: the records, or an rcode such as NXDOMAIN. */
export function encodeResponse(
  question: Question,
  rcode: number,
  answers: readonly Record[],
  extra: readonly Record[] = [],
  ttl = 5,
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(question.id, 0);
  // QR, AA, RD as asked, RA: an answer from the zone's own server.
  header.writeUInt16BE(0x8000 | 0x0400 | (question.rd ? 0x0100 : 0) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(extra.length, 10);
  return Buffer.concat([
    header,
    question.raw,
    ...answers.map((r) => encodeRecord(r, question.name, ttl)),
    ...extra.map((r) => encodeRecord(r, question.name, ttl)),
  ]);
}

/** A reply to a message that could not be read: FORMERR with the id, if there was one. */
export function formatError(msg: Buffer): Buffer | undefined {
  if (msg.length < 2) return undefined;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | RCODE.FORMERR, 2);
  return header;
}
