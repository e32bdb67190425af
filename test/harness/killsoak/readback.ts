// Reading the kill -9 soak's keys back after a restart (and removing them), over one pipelined
// RESP connection each: strings with GET, collections with TYPE + LRANGE / HGETALL / SMEMBERS /
// ZRANGE WITHSCORES, turned into the canonical text their models use. Every wait is bounded by
// the caller's deadline; a key whose reply did not arrive in time reads as undefined.
import { observedCanon, readCommands, type CollKind } from './collections.js';
import { PipeConn, resp, type Reply } from './conn.js';

/** GETs every key (pipelined); undefined for a key whose reply did not arrive in time. */
export async function readAll(port: number, names: string[], deadline: number): Promise<Array<string | null | undefined>> {
  const out: Array<string | null | undefined> = new Array(names.length).fill(undefined);
  const conn = await PipeConn.connect(port, 'resp');
  try {
    for (let from = 0; from < names.length; from += 500) {
      const chunk = names.slice(from, from + 500);
      conn.send(
        Buffer.concat(chunk.map((k) => resp('GET', k))),
        chunk.map((_k, i) => (r: Reply) => {
          out[from + i] = r.error ? `<error ${r.value}>` : r.value;
        }),
      );
      await conn.drained(deadline);
      if (conn.closed || conn.pending) break;
    }
  } finally {
    conn.close();
  }
  return out;
}

/**
 * Reads collection keys back as canonical text ('null' when absent); undefined when no reply came
 * in time. With `encodings`, also counts OBJECT ENCODING per `kind:encoding` of the existing keys
 * (to show the load reached both the packed and the large forms).
 */
export async function readCollections(
  port: number,
  keys: Array<{ kind: CollKind; key: string }>,
  deadline: number,
  encodings?: Record<string, number>,
): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = new Array(keys.length).fill(undefined);
  const conn = await PipeConn.connect(port, 'resp');
  try {
    for (let from = 0; from < keys.length; from += 200) {
      const chunk = keys.slice(from, from + 200);
      const cbs: Array<(r: Reply) => void> = [];
      chunk.forEach((k, i) => {
        let type: Reply | undefined;
        cbs.push((r) => void (type = r));
        cbs.push((r) => void (out[from + i] = observedCanon(k.kind, type!, r)));
        if (encodings) {
          cbs.push((r) => {
            if (!r.error && r.value !== null) encodings[`${k.kind}:${r.value}`] = (encodings[`${k.kind}:${r.value}`] ?? 0) + 1;
          });
        }
      });
      const cmds = chunk.flatMap((k) => [...readCommands(k.kind, k.key), ...(encodings ? [resp('OBJECT', 'ENCODING', k.key)] : [])]);
      conn.send(Buffer.concat(cmds), cbs);
      await conn.drained(deadline);
      if (conn.closed || conn.pending) break;
    }
  } finally {
    conn.close();
  }
  return out;
}

/** DELs keys (pipelined, 100 a command) and waits for the replies. */
export async function deleteAll(port: number, names: string[], deadline: number): Promise<boolean> {
  const conn = await PipeConn.connect(port, 'resp');
  try {
    const cmds: Buffer[] = [];
    for (let i = 0; i < names.length; i += 100) cmds.push(resp('DEL', ...names.slice(i, i + 100)));
    let ok = 0;
    conn.send(Buffer.concat(cmds), cmds.map(() => (r: Reply) => void (r.error || ok++)));
    await conn.drained(deadline);
    return ok === cmds.length;
  } finally {
    conn.close();
  }
}

export async function info(port: number, section: string, deadline: number): Promise<string> {
  const conn = await PipeConn.connect(port, 'resp');
  try {
    let text = '';
    conn.send(resp('INFO', section), [(r) => void (text = r.value ?? '')]);
    await conn.drained(deadline);
    return text;
  } finally {
    conn.close();
  }
}
