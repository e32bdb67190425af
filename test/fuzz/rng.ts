// The crash harness's seeded PRNG (sfc32), with random bytes for the server-stream fuzzer's garbage.
import { Rng as BaseRng } from '../harness/crash/rng.js';

export class Rng extends BaseRng {
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}
