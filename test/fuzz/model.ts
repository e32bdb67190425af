// An in-memory model of the string keyspace both protocols share, giving the exact reply bytes
// daxcache must send (Redis 7 and memcached wording) for a small command subset: SET [NX|XX], GET,
// GETDEL, DEL, EXISTS, STRLEN, SETNX, INCR, DECR, INCRBY, APPEND, MSET, MGET over RESP2/RESP3, and
// set, add, append, get, delete, incr over memcached text. No TTLs (the subset is expire-free).
interface Item {
  value: Buffer;
  flags: number;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const U64_MASK = 0xffffffffffffffffn;

/** Redis string2ll. */
function int64(b: Buffer): bigint | null {
  const s = b.toString('latin1');
  if (!/^(0|-?[1-9][0-9]{0,19})$/.test(s)) return null;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? null : v;
}

/** memcached safe_strtoull as daxcache reads it (trailing blanks ignored). */
function u64(b: Buffer): bigint | null {
  const s = b.toString('latin1').replace(/ +$/, '');
  if (!/^[0-9]{1,20}$/.test(s)) return null;
  const v = BigInt(s);
  return v > U64_MASK ? null : v;
}

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

export class Model {
  private readonly items = new Map<string, Item>();

  private get(k: Buffer): Item | undefined {
    return this.items.get(k.toString('latin1'));
  }

  private put(k: Buffer, value: Buffer, flags: number): void {
    this.items.set(k.toString('latin1'), { value: Buffer.from(value), flags });
  }

  private del(k: Buffer): boolean {
    return this.items.delete(k.toString('latin1'));
  }

  /** The reply to a RESP command, in RESP2 or RESP3. */
  resp(args: Buffer[], resp3: boolean): Buffer {
    const nil = enc(resp3 ? '_\r\n' : '$-1\r\n');
    const bulk = (b: Buffer | undefined): Buffer => (b === undefined ? nil : Buffer.concat([enc(`$${b.length}\r\n`), b, enc('\r\n')]));
    const int = (n: number | bigint): Buffer => enc(`:${n}\r\n`);
    const OK = enc('+OK\r\n');
    const name = args[0]!.toString('latin1').toUpperCase();
    const a = args.slice(1);
    switch (name) {
      case 'SET': {
        const opt = a[2]?.toString('latin1').toUpperCase();
        const exists = this.get(a[0]!) !== undefined;
        if ((opt === 'NX' && exists) || (opt === 'XX' && !exists)) return nil;
        this.put(a[0]!, a[1]!, 0);
        return OK;
      }
      case 'GET':
        return bulk(this.get(a[0]!)?.value);
      case 'GETDEL': {
        const it = this.get(a[0]!);
        this.del(a[0]!);
        return bulk(it?.value);
      }
      case 'DEL':
        return int(a.filter((k) => this.del(k)).length);
      case 'EXISTS':
        return int(a.filter((k) => this.get(k) !== undefined).length);
      case 'STRLEN':
        return int(this.get(a[0]!)?.value.length ?? 0);
      case 'SETNX':
        if (this.get(a[0]!) !== undefined) return int(0);
        this.put(a[0]!, a[1]!, 0);
        return int(1);
      case 'INCR':
      case 'DECR':
      case 'INCRBY': {
        const it = this.get(a[0]!);
        const by = name === 'INCR' ? 1n : name === 'DECR' ? -1n : BigInt(a[1]!.toString('latin1'));
        const cur = it === undefined ? 0n : int64(it.value);
        if (cur === null) return enc('-ERR value is not an integer or out of range\r\n');
        const next = cur + by;
        if (next > INT64_MAX || next < INT64_MIN) return enc('-ERR increment or decrement would overflow\r\n');
        this.put(a[0]!, enc(next.toString()), it?.flags ?? 0);
        return int(next);
      }
      case 'APPEND': {
        const it = this.get(a[0]!);
        const v = it === undefined ? a[1]! : Buffer.concat([it.value, a[1]!]);
        this.put(a[0]!, v, it?.flags ?? 0);
        return int(v.length);
      }
      case 'MSET':
        for (let i = 0; i < a.length; i += 2) this.put(a[i]!, a[i + 1]!, 0);
        return OK;
      case 'MGET':
        return Buffer.concat([enc(`*${a.length}\r\n`), ...a.map((k) => bulk(this.get(k)?.value))]);
      default:
        throw new Error(`model: no RESP ${name}`);
    }
  }

  /** The reply to a memcached text command (the request as the client sends it, parsed here). */
  memcached(cmd: { op: 'set' | 'add' | 'append'; key: Buffer; flags: number; data: Buffer } | { op: 'get'; keys: Buffer[] } | { op: 'delete' | 'incr'; key: Buffer; delta?: bigint }): Buffer {
    switch (cmd.op) {
      case 'set':
        this.put(cmd.key, cmd.data, cmd.flags);
        return enc('STORED\r\n');
      case 'add':
        if (this.get(cmd.key) !== undefined) return enc('NOT_STORED\r\n');
        this.put(cmd.key, cmd.data, cmd.flags);
        return enc('STORED\r\n');
      case 'append': {
        const it = this.get(cmd.key);
        if (it === undefined) return enc('NOT_STORED\r\n');
        this.put(cmd.key, Buffer.concat([it.value, cmd.data]), it.flags);
        return enc('STORED\r\n');
      }
      case 'get': {
        const parts: Buffer[] = [];
        for (const k of cmd.keys) {
          const it = this.get(k);
          if (it) parts.push(enc(`VALUE ${k.toString('latin1')} ${it.flags} ${it.value.length}\r\n`), it.value, enc('\r\n'));
        }
        parts.push(enc('END\r\n'));
        return Buffer.concat(parts);
      }
      case 'delete':
        return enc(this.del(cmd.key) ? 'DELETED\r\n' : 'NOT_FOUND\r\n');
      case 'incr': {
        const it = this.get(cmd.key);
        if (it === undefined) return enc('NOT_FOUND\r\n');
        const v = u64(it.value);
        if (v === null) return enc('CLIENT_ERROR cannot increment or decrement non-numeric value\r\n');
        const next = (v + cmd.delta!) & U64_MASK;
        this.put(cmd.key, enc(next.toString()), it.flags);
        return enc(`${next}\r\n`);
      }
    }
  }
}
