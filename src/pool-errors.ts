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
