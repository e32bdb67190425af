// kill -9 soak against the real server: see driver.ts.
export { runKillSoak, describeKillSoak } from './driver.js';
export type { KillSoakOptions, KillSoakProgress, KillSoakResult, SoakKind } from './driver.js';
