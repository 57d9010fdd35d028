/**
 * Reusable checks for ProcedureCodecs, after mqtt-packet and pg-protocol:
 * byte-exact fixtures checked three ways (decode, encode, mirror), and
 * fast-check properties (round trip, every truncated prefix fails cleanly,
 * random and mutated bytes never fail with anything but XdrError).
 *
 * Values are compared after dropping undefined-valued keys, so a test may
 * write `{ before: undefined }` or `{}` for an absent optional alike.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { XdrError, XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';

/** Bounded so the whole suite stays fast. */
export const NUM_RUNS = 200;

export type Read<T> = (r: XdrReader) => T;
export type Write<T> = (w: XdrWriter, v: T) => void;

/**
 * Bytes from annotated hex: one field per line, `//` or `#` starts a comment,
 * whitespace is ignored. Usable as a tagged template (interpolating other
 * annotated hex, e.g. a shared fattr3 fixture, which should end in a newline)
 * or a function.
 */
export function hex(text: TemplateStringsArray | string, ...parts: unknown[]): Buffer {
  const src = typeof text === 'string' ? text : text.reduce((acc, raw, i) => acc + String(parts[i - 1]) + raw);
  const digits = src
    .split('\n')
    .map((line) => line.replace(/(\/\/|#).*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`bad hex fixture: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** A copy of `v` with undefined-valued keys dropped, recursively (Buffers and bigints untouched). */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = normalize(x);
  return out;
}

export function assertSameValue(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(normalize(actual), normalize(expected), message);
}

export function encodeWith<T>(write: Write<T>, v: T): Buffer {
  const w = new XdrWriter();
  write(w, v);
  return w.toBuffer();
}

/** Decodes and insists the decoder consumed exactly the input. */
export function decodeAll<T>(read: Read<T>, bytes: Buffer): T {
  const r = new XdrReader(bytes);
  const v = read(r);
  assert.equal(r.remaining, 0, `decoder left ${r.remaining} of ${bytes.length} bytes unread`);
  return v;
}

/** Decodes, requiring the decoder either to return or to throw XdrError; undefined for XdrError. */
export function decodeOrXdrError<T>(read: Read<T>, bytes: Buffer): { value: T } | undefined {
  try {
    return { value: read(new XdrReader(bytes)) };
  } catch (err) {
    if (err instanceof XdrError) return undefined;
    throw new assert.AssertionError({ message: `decoder threw ${String(err)} instead of XdrError`, actual: err });
  }
}

/** Registers the three fixture tests: decode == value, encode == bytes, mirror (encode then decode). */
export function checkFixture<T>(name: string, read: Read<T>, write: Write<T>, bytes: Buffer, value: T): void {
  test(`${name}: decode`, () => assertSameValue(decodeAll(read, bytes), value));
  test(`${name}: encode`, () => assert.equal(encodeWith(write, value).toString('hex'), bytes.toString('hex')));
  test(`${name}: mirror`, () => assertSameValue(decodeAll(read, encodeWith(write, value)), value));
}

export function checkArgsFixture<A, R>(codec: ProcedureCodec<A, R>, name: string, bytes: Buffer, value: A): void {
  checkFixture(`${codec.name} args ${name}`, codec.readArgs, codec.writeArgs, bytes, value);
}

export function checkResultFixture<A, R>(codec: ProcedureCodec<A, R>, name: string, bytes: Buffer, value: R): void {
  checkFixture(`${codec.name} result ${name}`, codec.readResult, codec.writeResult, bytes, value);
}

function roundTrip<T>(read: Read<T>, write: Write<T>, arb: fc.Arbitrary<T>, numRuns: number): void {
  fc.assert(
    fc.property(arb, (v) => {
      assertSameValue(decodeAll(read, encodeWith(write, v)), v);
    }),
    { numRuns },
  );
}

/** XDR leaves nothing optional at the end, so every strict prefix of a valid encoding must run out of bytes. */
function prefixesFail<T>(read: Read<T>, write: Write<T>, arb: fc.Arbitrary<T>, numRuns: number): void {
  fc.assert(
    fc.property(arb, (v) => {
      const bytes = encodeWith(write, v);
      for (let n = 0; n < bytes.length; n++) {
        const prefix = Buffer.from(bytes.subarray(0, n));
        assert.throws(() => read(new XdrReader(prefix)), XdrError, `prefix of ${n}/${bytes.length} bytes`);
      }
    }),
    { numRuns },
  );
}

/** Whatever decodes from hostile bytes must re-encode to something that decodes to the same value. */
function garbageIsSafe<T>(read: Read<T>, write: Write<T>, inputs: fc.Arbitrary<Buffer>, numRuns: number): void {
  fc.assert(
    fc.property(inputs, (bytes) => {
      const got = decodeOrXdrError(read, bytes);
      if (got) assertSameValue(decodeAll(read, encodeWith(write, got.value)), got.value);
    }),
    { numRuns },
  );
}

/** Valid encodings with a few bytes overwritten: garbage that gets past the first fields. */
function mutated<T>(write: Write<T>, arb: fc.Arbitrary<T>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(arb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([v, edits]) => {
      const bytes = Buffer.from(encodeWith(write, v));
      for (const [at, b] of edits) if (bytes.length > 0) bytes[at % bytes.length] = b;
      return bytes;
    });
}

export interface PropertyOptions {
  numRuns?: number;
}

/** Registers the property tests for one direction (args or result) of a codec. */
export function checkDirectionProperties<T>(
  label: string,
  read: Read<T>,
  write: Write<T>,
  arb: fc.Arbitrary<T>,
  opts: PropertyOptions = {},
): void {
  const numRuns = opts.numRuns ?? NUM_RUNS;
  const random = fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a));
  test(`${label}: round trip`, () => roundTrip(read, write, arb, numRuns));
  test(`${label}: every truncated prefix throws XdrError`, () => prefixesFail(read, write, arb, numRuns));
  test(`${label}: random bytes throw only XdrError or decode`, () => garbageIsSafe(read, write, random, numRuns));
  test(`${label}: mutated encodings throw only XdrError or decode`, () =>
    garbageIsSafe(read, write, mutated(write, arb), numRuns));
}

/** The whole property suite for a procedure codec, in a describe block named after it. */
export function checkCodecProperties<A, R>(
  codec: ProcedureCodec<A, R>,
  args: fc.Arbitrary<A>,
  result: fc.Arbitrary<R>,
  opts: PropertyOptions = {},
): void {
  describe(`${codec.name} codec properties`, () => {
    checkDirectionProperties(`${codec.name} args`, codec.readArgs, codec.writeArgs, args, opts);
    checkDirectionProperties(`${codec.name} result`, codec.readResult, codec.writeResult, result, opts);
  });
}
