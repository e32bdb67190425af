// Exit codes for pool errors (shared by the CLI subcommands and `serve`).
const EXIT: Record<string, number> = {
  EPOOLMAGIC: 3,
  EPOOLVERSION: 4,
  EPOOLCHECKSUM: 5,
  EPOOLTRUNCATED: 6,
  EPOOLINVALID: 7,
  EPOOLIO: 8,
  EPOOLBUSY: 9,
};

export function poolErrorExitCode(code: string | undefined): number {
  return (code && EXIT[code]) || 1;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
