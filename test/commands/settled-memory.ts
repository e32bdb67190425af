// For tests that set maxmemory just above what the server uses: after a FLUSHALL (or DEL of large
// collections) the pool is freed in background slices, and memory given back later would make
// room under the limit. This waits until no collection is left to free and used_memory has held
// still for 300 ms (at most ~10 s), then tells both.
import type { RespClient } from './resp-client.js';

const field = async (c: RespClient, section: string, name: string): Promise<number> =>
  Number(new RegExp(`${name}:(\\d+)`).exec(((await c.call('info', section)) as { b: string }).b)![1]);

export async function settledUsedMemory(c: RespClient): Promise<{ used: number; freeing: number }> {
  let used = await field(c, 'memory', 'used_memory');
  for (let stable = 0, i = 0; stable < 6 && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const u = await field(c, 'memory', 'used_memory');
    const busy = (await field(c, 'persistence', 'collections_freeing')) > 0;
    stable = u === used && !busy ? stable + 1 : 0;
    used = u;
  }
  return { used, freeing: await field(c, 'persistence', 'collections_freeing') };
}
