// ReplyWriter.recycle(): the connection reuses the reply buffer once the socket took every byte;
// it must never rewind over bytes that have not been taken yet.
import { describe, expect, it } from 'vitest';
import { ReplyWriter } from '../../src/protocol/memcache/index.js';

describe('ReplyWriter.recycle', () => {
  it('reuses the buffer from its start after take()', () => {
    const w = new ReplyWriter(64);
    w.latin1('STORED\r\n');
    const [first] = w.take();
    expect(first!.toString()).toBe('STORED\r\n');
    w.recycle();
    w.latin1('END\r\n');
    const [second] = w.take();
    expect(second!.toString()).toBe('END\r\n');
    // The same memory: the first chunk was overwritten, which is why only a caller that knows the
    // socket no longer holds it may recycle.
    expect(second!.buffer).toBe(first!.buffer);
    expect(second!.byteOffset).toBe(first!.byteOffset);
  });

  it('is a no-op while anything is untaken', () => {
    const w = new ReplyWriter(64);
    w.latin1('VALUE k 0 1\r\n');
    w.recycle();
    w.latin1('x\r\nEND\r\n');
    expect(w.takeBuffer().toString()).toBe('VALUE k 0 1\r\nx\r\nEND\r\n');
  });
});
