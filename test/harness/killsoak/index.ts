// kill -9 soak against the real server: see driver.ts (strings) and collections.ts (lists, hashes,
// sets, sorted sets).
export { runKillSoak, describeKillSoak } from './driver.js';
export type { KillSoakOptions, KillSoakProgress, KillSoakResult, SoakKind } from './driver.js';
export type { TypeCounts, WriteType } from './cmd.js';
