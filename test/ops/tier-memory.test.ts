// tier-memory: auto, a size or a share of the pool; auto is off on a DRAM (tmpfs) pool and else 5%
// of the pool, at most a tenth of the machine's memory.
import { describe, expect, it } from 'vitest';
import { parseTierMemory, showTierMemory, textTierMemory, tierBudget } from '../../src/ops/tier-memory.js';

const GiB = 1024 ** 3;

describe('tier-memory', () => {
  it('parses auto, sizes and shares, and shows them as CONFIG GET and the YAML file do', () => {
    expect(parseTierMemory(' AUTO ')).toBe('auto');
    expect(parseTierMemory('256mb')).toEqual({ bytes: 256 * 1024 ** 2 });
    expect(parseTierMemory('0')).toEqual({ bytes: 0 });
    expect(parseTierMemory('2.5%')).toEqual({ percent: 2.5 });
    expect(showTierMemory({ bytes: 256 * 1024 ** 2 })).toBe(String(256 * 1024 ** 2));
    expect(textTierMemory({ bytes: 256 * 1024 ** 2 })).toBe('256mb');
    expect(showTierMemory({ percent: 5 })).toBe('5%');
    expect(showTierMemory('auto')).toBe('auto');
    for (const bad of ['', 'lots', '-1', '101%', '5 %', '%']) expect(() => parseTierMemory(bad), bad).toThrow();
  });

  it('resolves to bytes from the pool it serves', () => {
    expect(tierBudget('auto', 100 * GiB, true, 64 * GiB)).toBe(0);
    expect(tierBudget('auto', 100 * GiB, false, 1024 * GiB)).toBe(5 * GiB);
    // Capped at a tenth of the machine's memory: a huge PMEM pool does not ask for all the DRAM.
    expect(tierBudget('auto', 4096 * GiB, false, 64 * GiB)).toBe(Math.floor(6.4 * GiB));
    expect(tierBudget({ percent: 10 }, 100 * GiB, true)).toBe(10 * GiB);
    expect(tierBudget({ bytes: 12345 }, 100 * GiB, true)).toBe(12345);
  });
});
