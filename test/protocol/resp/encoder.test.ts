import { describe, expect, it } from 'vitest';
import { ReplyWriter, encodeReply } from '../../../src/protocol/resp/encoder.js';
import { formatDoubleRedis70 } from '../../../src/protocol/resp/double.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  ErrorReply,
  FillBulk,
  BulkArray,
  MapReply,
  NullArray,
  OK,
  PONG,
  PushReply,
  QUEUED,
  SetReply,
  SimpleString,
  VerbatimReply,
  type Reply,
} from '../../../src/protocol/resp/reply.js';

const enc2 = (r: Reply): string => encodeReply(r, 2).toString('latin1');
const enc3 = (r: Reply): string => encodeReply(r, 3).toString('latin1');

describe('ReplyWriter: every reply type, RESP2 and RESP3', () => {
  const cases: Array<[string, Reply, string, string]> = [
    ['simple string', OK, '+OK\r\n', '+OK\r\n'],
    ['QUEUED', QUEUED, '+QUEUED\r\n', '+QUEUED\r\n'],
    ['PONG', PONG, '+PONG\r\n', '+PONG\r\n'],
    ['error', new ErrorReply('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['error with code', new ErrorReply('WRONGTYPE Operation'), '-WRONGTYPE Operation\r\n', '-WRONGTYPE Operation\r\n'],
    ['integer 0', 0, ':0\r\n', ':0\r\n'],
    ['integer 7', 7, ':7\r\n', ':7\r\n'],
    ['integer 10', 10, ':10\r\n', ':10\r\n'],
    ['integer 99', 99, ':99\r\n', ':99\r\n'],
    ['integer 100', 100, ':100\r\n', ':100\r\n'],
    ['integer negative', -42, ':-42\r\n', ':-42\r\n'],
    ['integer -1', -1, ':-1\r\n', ':-1\r\n'],
    ['integer 2^31-1', 2147483647, ':2147483647\r\n', ':2147483647\r\n'],
    ['integer 2^31', 2147483648, ':2147483648\r\n', ':2147483648\r\n'],
    ['integer -2^31', -2147483648, ':-2147483648\r\n', ':-2147483648\r\n'],
    ['integer 2^53-1', Number.MAX_SAFE_INTEGER, ':9007199254740991\r\n', ':9007199254740991\r\n'],
    ['integer -0', -0, ':0\r\n', ':0\r\n'],
    ['bigint max', 9223372036854775807n, ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
    ['bigint min', -9223372036854775808n, ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['bulk Buffer', Buffer.from('hello'), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['bulk binary', Buffer.from([0, 13, 10, 255]), '$4\r\n\x00\r\n\xff\r\n', '$4\r\n\x00\r\n\xff\r\n'],
    ['bulk empty', Buffer.alloc(0), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['bulk string', 'hello', '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['bulk empty string', '', '$0\r\n\r\n', '$0\r\n\r\n'],
    ['null', null, '$-1\r\n', '_\r\n'],
    ['null array', NullArray, '*-1\r\n', '_\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['array', [Buffer.from('a'), 1, null], '*3\r\n$1\r\na\r\n:1\r\n$-1\r\n', '*3\r\n$1\r\na\r\n:1\r\n_\r\n'],
    [
      'map',
      new MapReply([
        ['a', 1],
        ['b', null],
      ]),
      '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n',
      '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n',
    ],
    ['empty map', new MapReply([]), '*0\r\n', '%0\r\n'],
    ['set', new SetReply(['x', 'y']), '*2\r\n$1\r\nx\r\n$1\r\ny\r\n', '~2\r\n$1\r\nx\r\n$1\r\ny\r\n'],
    ['push', new PushReply(['message', 'ch', 'hi']), '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n'],
    ['double 3.5', new DoubleReply(3.5), '$3\r\n3.5\r\n', ',3.5\r\n'],
    ['double integral', new DoubleReply(10), '$2\r\n10\r\n', ',10\r\n'],
    ['double 0.1', new DoubleReply(0.1), '$3\r\n0.1\r\n', ',0.1\r\n'],
    ['double -2.25', new DoubleReply(-2.25), '$5\r\n-2.25\r\n', ',-2.25\r\n'],
    ['double inf', new DoubleReply(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', new DoubleReply(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['double nan', new DoubleReply(NaN), '$3\r\nnan\r\n', ',nan\r\n'],
    ['double 1e300', new DoubleReply(1e300), '$6\r\n1e+300\r\n', ',1e+300\r\n'],
    ['non-integer number as double', 1.5, '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['bool true', new BoolReply(true), ':1\r\n', '#t\r\n'],
    ['bool false', new BoolReply(false), ':0\r\n', '#f\r\n'],
    ['verbatim', new VerbatimReply('txt', 'Some string'), '$11\r\nSome string\r\n', '=15\r\ntxt:Some string\r\n'],
    ['big number', new BigNumberReply(3492890328409238509324850943850943825024385n), '$43\r\n3492890328409238509324850943850943825024385\r\n', '(3492890328409238509324850943850943825024385\r\n'],
    ['big number string', new BigNumberReply('-12345678901234567890'), '$21\r\n-12345678901234567890\r\n', '(-12345678901234567890\r\n'],
  ];
  for (const [name, reply, r2, r3] of cases) {
    it(name, () => {
      expect(enc2(reply)).toBe(r2);
      expect(enc3(reply)).toBe(r3);
    });
  }

  it('writes a FillBulk in place, as a bulk of its length', () => {
    const fill = new FillBulk(5, (dst, pos) => Buffer.from('hello').copy(dst, pos));
    expect(enc2([fill, fill])).toBe('*2\r\n$5\r\nhello\r\n$5\r\nhello\r\n');
    expect(enc3(new FillBulk(0, () => {}))).toBe('$0\r\n\r\n');
  });

  it('writes a BulkArray as the array of bulks it packs (empty elements, binary bytes, nested, empty)', () => {
    const packed = new BulkArray(Buffer.from('ab\r\n\x00xyz', 'latin1'), Uint32Array.from([2, 0, 3, 3]));
    expect(enc2(packed)).toBe('*4\r\n$2\r\nab\r\n$0\r\n\r\n$3\r\n\r\n\x00\r\n$3\r\nxyz\r\n');
    expect(enc3(['k', packed])).toBe(enc3(['k', [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('\r\n\x00', 'latin1'), Buffer.from('xyz')]]));
    expect(enc2(new BulkArray(Buffer.alloc(0), new Uint32Array(0)))).toBe('*0\r\n');
    // Lengths of one, two and more digits; short elements copied by hand, long ones with copy().
    const sizes = [9, 10, 32, 33, 99, 100, 5000, 70000];
    const parts = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
    const big = new BulkArray(Buffer.concat(parts), Uint32Array.from(sizes));
    expect(enc2(big)).toBe(enc2(parts));
    expect(packed.toArray().map((b) => b.toString('latin1'))).toEqual(['ab', '', '\r\n\x00', 'xyz']);
  });

  it('encodes JS strings as UTF-8 with their byte length', () => {
    expect(encodeReply('héllo €', 2)).toEqual(Buffer.from('$10\r\nhéllo €\r\n', 'utf8'));
    expect(encodeReply(new VerbatimReply('txt', 'é'), 3)).toEqual(Buffer.from('=6\r\ntxt:é\r\n', 'utf8'));
  });

  it('encodes nested arrays, maps in arrays and arrays in maps', () => {
    const r: Reply = [
      [1, [2, [3, []]]],
      new MapReply([['k', [new MapReply([['n', new DoubleReply(1.5)]]), new SetReply([true ? 1 : 0])]]]),
      new ErrorReply('ERR inner'),
    ];
    expect(enc2(r)).toBe(
      '*3\r\n' +
        '*2\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n*0\r\n' +
        '*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nn\r\n$3\r\n1.5\r\n*1\r\n:1\r\n' +
        '-ERR inner\r\n',
    );
    expect(enc3(r)).toBe(
      '*3\r\n' +
        '*2\r\n:1\r\n*2\r\n:2\r\n*2\r\n:3\r\n*0\r\n' +
        '%1\r\n$1\r\nk\r\n*2\r\n%1\r\n$1\r\nn\r\n,1.5\r\n~1\r\n:1\r\n' +
        '-ERR inner\r\n',
    );
  });

  it('turns CR/LF in status and error text into spaces so they cannot break the framing', () => {
    expect(enc2(new ErrorReply('ERR a\r\nb'))).toBe('-ERR a  b\r\n');
    expect(enc2(new SimpleString('x\ny'))).toBe('+x y\r\n');
  });

  it('does not double a leading - in an error message', () => {
    expect(enc2(new ErrorReply('-ERR x'))).toBe('-ERR x\r\n');
  });

  it('formats doubles the Redis 7.0 way when asked', () => {
    const opts = { formatDouble: formatDoubleRedis70 };
    expect(encodeReply(new DoubleReply(0.1), 2, opts).toString()).toBe('$19\r\n0.10000000000000001\r\n');
    expect(encodeReply(new DoubleReply(1e17), 3, opts).toString()).toBe(',1e+17\r\n');
  });

  it('refuses a value that is not a reply', () => {
    expect(() => encodeReply({} as unknown as Reply, 2)).toThrow(TypeError);
  });
});

describe('ReplyWriter: buffer management', () => {
  it('accumulates replies, reports length and take() resets', () => {
    const w = new ReplyWriter();
    expect(w.length).toBe(0);
    w.write(OK, 2);
    w.write(1, 2);
    expect(w.length).toBe(9);
    expect(w.take().toString()).toBe('+OK\r\n:1\r\n');
    expect(w.length).toBe(0);
    expect(w.take().length).toBe(0);
    w.write(null, 3);
    expect(w.take().toString()).toBe('_\r\n');
  });

  it('never overwrites bytes it has handed out', () => {
    const w = new ReplyWriter({ initialSize: 64 });
    const taken: Array<[Buffer, string]> = [];
    for (let i = 0; i < 200; i++) {
      w.write(`v${i}`, 2);
      if (i % 3 === 0) {
        const b = w.take();
        taken.push([b, b.toString()]);
      }
    }
    for (const [b, s] of taken) expect(b.toString()).toBe(s);
  });

  it('recycle() refills the buffer from its start, only once everything was taken', () => {
    const w = new ReplyWriter({ initialSize: 64 });
    w.write(OK, 2);
    const first = w.take();
    w.recycle();
    w.write(PONG, 2);
    const second = w.take();
    expect(second.toString()).toBe('+PONG\r\n');
    // Same memory: the first view is overwritten, so only a socket that copied it may recycle.
    expect(second.byteOffset).toBe(first.byteOffset);
    expect(second.buffer).toBe(first.buffer);
    w.write(1, 2);
    w.recycle(); // untaken bytes: no rewind
    w.write(2, 2);
    expect(w.take().toString()).toBe(':1\r\n:2\r\n');
  });

  it('grows for large replies and keeps earlier bytes', () => {
    const w = new ReplyWriter({ initialSize: 16 });
    const big = Buffer.alloc(1 << 20, 0x61);
    w.write(OK, 2);
    w.write(big, 2);
    w.write([1, 2], 2);
    const out = w.take();
    expect(out.length).toBe(5 + 10 + big.length + 2 + 12);
    expect(out.subarray(0, 15).toString()).toBe('+OK\r\n$1048576\r\n');
    expect(out.subarray(15, 15 + big.length).equals(big)).toBe(true);
    expect(out.subarray(15 + big.length).toString()).toBe('\r\n*2\r\n:1\r\n:2\r\n');
    // after a huge batch the writer does not keep the big buffer; it still works
    w.write(PONG, 3);
    expect(w.take().toString()).toBe('+PONG\r\n');
  });

  it('writeRaw appends bytes as they are', () => {
    const w = new ReplyWriter();
    w.writeRaw(Buffer.from('+PRE\r\n'));
    w.write(PONG, 2);
    expect(w.take().toString()).toBe('+PRE\r\n+PONG\r\n');
  });

  it('typed writers stream a reply without a Reply tree', () => {
    const w = new ReplyWriter();
    w.writeMapHeader(1, 2);
    w.writeBulkString('k');
    w.writeArrayHeader(2);
    w.writeBulk(Buffer.from('x'));
    w.writeNull(2);
    w.writeMapHeader(0, 3);
    w.writeNullArray(2);
    w.writeInteger(-5);
    w.writeDouble(2.5, 3);
    w.writeSimple('OK');
    w.writeError('ERR e');
    expect(w.take().toString()).toBe('*2\r\n$1\r\nk\r\n*2\r\n$1\r\nx\r\n$-1\r\n%0\r\n*-1\r\n:-5\r\n,2.5\r\n+OK\r\n-ERR e\r\n');
  });

  it('writes every integer header width correctly', () => {
    const w = new ReplyWriter({ initialSize: 32 });
    let expected = '';
    for (let n = 1; n <= 1e15; n *= 10) {
      for (const v of [n - 1, n, n + 1, -n]) {
        w.write(v, 2);
        expected += `:${v}\r\n`;
      }
    }
    expect(w.take().toString()).toBe(expected);
  });
});
