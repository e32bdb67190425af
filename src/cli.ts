#!/usr/bin/env node
// daxcache command line: `serve` (the server), `check <pool>`, `info <pool>`.
// Exit codes: 0 ok, 1 check found problems or runtime error, 2 invalid configuration/usage,
// 3 not a daxcache pool, 4 unsupported layout version, 5 damaged header (checksum), 6 truncated
// pool, 7 inconsistent layout, 8 I/O error, 9 pool in use by another process.
import { poolErrorExitCode } from './pool-errors.js';
import { formatBytes } from './ops/size.js';

const USAGE = `usage: daxcache <command> [options]

commands:
  serve [--port N] [--pool PATH] [--pool-size SIZE] ...   run the server (see README for every flag)
  check <pool>                                          verify a pool file (exit 0 only if sound)
  info <pool>                                           print a pool's header and usage
  help                                                  this text

Every command takes --help.`;

const CHECK_USAGE = `usage: daxcache check <pool>

Walks the pool's header, intent log, page table, index and every item, verifies every checksum and
structure, and prints a summary. Exit 0 when sound, 1 when problems were found, 3-9 when the pool
is refused (not a daxcache pool, another layout version, damaged header, truncated, inconsistent,
I/O error, in use).`;

const INFO_USAGE = `usage: daxcache info <pool>

Prints the pool's header (layout version, size, clean-shutdown flag, key count, opens and crashes)
without opening it for writing. Exit 0, or 3-9 when the pool is refused (as for check).`;

/** `serve --help`: every setting as a flag, from the settings table (the same as config/daxcache.yaml). */
async function serveUsage(): Promise<string> {
  const { SETTINGS } = await import('./ops/settings.js');
  const lines = SETTINGS.map((s) => {
    const flag = s.boolean ? `--${s.name}[=true|false]` : `--${s.name} VALUE`;
    const dflt = s.default === '' ? '' : ` (default ${s.default})`;
    return `  ${flag.padEnd(44)} ${s.doc}${dflt}`;
  });
  return [
    'usage: daxcache serve [--config FILE] [--SETTING VALUE ...]',
    '',
    'Runs the server until SIGTERM/SIGINT or SHUTDOWN. Precedence: flags > DAXCACHE_* environment >',
    'config file (--config or DAXCACHE_CONFIG; else the packaged config/daxcache.yaml) > defaults.',
    'Sizes take Redis units (k, kb, mb, gb). Exit 0 clean stop, 2 invalid configuration, 3-9 pool refused.',
    '',
    '  --config FILE'.padEnd(46) + ' configuration file (YAML)',
    ...lines,
  ].join('\n');
}

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve': {
      if (wantsHelp(rest)) {
        console.log(await serveUsage());
        return 0;
      }
      const { serve } = await import('./server/serve.js');
      return serve(rest);
    }
    case 'check':
    case 'info': {
      if (wantsHelp(rest)) {
        console.log(cmd === 'check' ? CHECK_USAGE : INFO_USAGE);
        return 0;
      }
      if (rest.length !== 1 || rest[0]!.startsWith('-')) {
        console.error(`usage: daxcache ${cmd} <pool>`);
        return 2;
      }
      const { Store } = await import('./store/store.js');
      try {
        if (cmd === 'info') printInfo(Store.info(rest[0]!));
        else return printCheck(rest[0]!, Store.check(rest[0]!));
      } catch (e) {
        return reportPoolError(e);
      }
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      console.error(`daxcache: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

function reportPoolError(e: unknown): number {
  const err = e as Error & { code?: string };
  console.error(`daxcache: ${err.message}`);
  return poolErrorExitCode(err.code);
}

type Info = import('./store/store.js').PoolInfo;
type Check = import('./store/store.js').CheckReport;

function printInfo(i: Info): void {
  const rows: Array<[string, string]> = [
    ['layout version', String(i.version)],
    ['uuid', i.uuid],
    ['pool size', `${formatBytes(i.poolSize)} (${i.poolSize} bytes)`],
    ['created', new Date(i.createdMs).toISOString()],
    ['clean shutdown', i.cleanShutdown ? 'yes' : 'no (crashed or still open)'],
    ['keys', i.cleanShutdown && i.itemsAtClose >= 0 ? String(i.itemsAtClose) : `~${i.itemsHint} (exact after next open)`],
    ['opens / crashes', `${i.openCount} / ${i.crashCount}`],
    ['index buckets', String(i.indexBuckets)],
    ['slab pages', `${i.slabPages} x ${formatBytes(i.slabPageSize)}: ${i.pagesSlab} slab, ${i.pagesLarge} large, ${i.pagesFree} free`],
    ['size classes', String(i.sizeClasses)],
    ['intent log', `${formatBytes(i.logSize)}, ${i.logPending ? `${i.logPending} entries pending replay` : 'empty'}`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(16)} ${v}`);
}

function printCheck(path: string, r: Check): number {
  console.log(`pool ${path}`);
  console.log(`items            ${r.items} (${formatBytes(r.itemBytes)}), ${r.largeItems} large`);
  console.log(`awaiting cleanup ${r.expiredItems} expired, ${r.staleItems} flushed`);
  console.log(`index            ${r.buckets} buckets, ${r.overflowBuckets} overflow, longest chain ${r.maxChain}`);
  console.log(`collections      ${r.collections} large, ${r.elements} elements`);
  console.log(`pages            ${r.pagesSlab} slab, ${r.pagesLarge} large, ${r.pagesFree} free`);
  if (r.logPending) console.log(`intent log       ${r.logPending} entries pending (replayed on open)`);
  for (const c of r.classes) console.log(`  class ${String(c.chunkSize).padStart(7)} B  ${c.items} items`);
  if (r.problems === 0) {
    console.log('OK: no problems found');
    return 0;
  }
  console.log(`PROBLEMS: ${r.problems}`);
  for (const m of r.messages) console.log(`  ${m}`);
  if (r.problems > r.messages.length) console.log(`  ... and ${r.problems - r.messages.length} more`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (e) => {
    console.error(`daxcache: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  },
);
