// Types for build-harness.mjs (imported by the TypeScript suites in test/crash/).
export declare const root: string;
export declare function buildHarness(): void;
