// Redis 7 key specs: where a command's keys are and what it does to them (command-meta.ts holds
// Redis's own for every command daxcache serves). COMMAND INFO reports them; COMMAND GETKEYS
// finds keys with them as Redis's getKeysUsingKeySpecs does, falling back, as Redis does, to a
// command's own rule when a spec cannot say (SORT's STORE) or its flags vary with the arguments.
import { MapReply, SetReply, SimpleString, type Reply } from '../../protocol/resp/index.js';
import { optIs } from './args.js';

export interface KeySpec {
  notes?: string;
  flags: string[];
  begin_search:
    | { type: 'index'; spec: { index: number } }
    | { type: 'keyword'; spec: { keyword: string; startfrom: number } }
    | { type: 'unknown'; spec: Record<string, never> };
  find_keys:
    | { type: 'range'; spec: { lastkey: number; keystep: number; limit: number } }
    | { type: 'keynum'; spec: { keynumidx: number; firstkey: number; keystep: number } }
    | { type: 'unknown'; spec: Record<string, never> };
}

/** What Redis's COMMAND INFO says of a command beyond arity, flags and the legacy key range. */
export interface CommandMeta {
  categories?: string[];
  tips?: string[];
  movable?: boolean;
  keySpecs?: KeySpec[];
}

/** A set of simple strings (COMMAND INFO's flags, categories and key-spec flags). */
export const simpleStrings = (xs: readonly string[]): SetReply => new SetReply(xs.map((x) => new SimpleString(x)));
const specMap = (o: object): MapReply => new MapReply(Object.entries(o).map(([k, v]): [Reply, Reply] => [k, v as Reply]));

/** A key spec as COMMAND INFO replies it (a map; its flags a set of simple strings). */
export function keySpecReply(ks: KeySpec): MapReply {
  const fields: Array<[Reply, Reply]> = [];
  if (ks.notes !== undefined) fields.push(['notes', ks.notes]);
  fields.push(['flags', simpleStrings(ks.flags)]);
  fields.push(['begin_search', new MapReply([['type', ks.begin_search.type], ['spec', specMap(ks.begin_search.spec)]])]);
  fields.push(['find_keys', new MapReply([['type', ks.find_keys.type], ['spec', specMap(ks.find_keys.spec)]])]);
  return new MapReply(fields);
}

/** Command tips: a set of bulk strings (unlike the flags, simple strings). */
export const tipsReply = (tips: readonly string[] | undefined): SetReply => new SetReply([...(tips ?? [])]);

/** Whether a command has keys (Redis doesCommandHaveKeys: a spec not marked not_key). */
export function hasKeySpecs(meta: CommandMeta): boolean {
  return (meta.keySpecs ?? []).some((ks) => !ks.flags.includes('not_key'));
}

/** A key's position in a command line and what the command does to it (ACL read/write rights). */
export interface KeyRef {
  pos: number;
  /** The key spec's access (read) and insert/delete/update (write) flags. */
  read: boolean;
  write: boolean;
}

function refFlags(flags: readonly string[]): { read: boolean; write: boolean } {
  return { read: flags.includes('access'), write: flags.includes('insert') || flags.includes('delete') || flags.includes('update') };
}

/** Keys from the specs (args[0] is the command name), or null where a spec cannot say. */
function keysBySpecs(specs: readonly KeySpec[], args: readonly Buffer[]): KeyRef[] | null {
  const argc = args.length;
  const out: KeyRef[] = [];
  for (const ks of specs) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    const bs = ks.begin_search;
    if (bs.type === 'index') {
      first = bs.spec.index;
    } else if (bs.type === 'keyword') {
      const from = bs.spec.startfrom > 0 ? bs.spec.startfrom : argc + bs.spec.startfrom;
      const to = bs.spec.startfrom > 0 ? argc - 1 : 1;
      // As Redis: the search stops short of `to` (a keyword needs its key after it).
      for (let i = from; i !== to; i = from <= to ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (optIs(args[i]!, bs.spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue; // keyword absent: no keys from this spec
    } else {
      return null;
    }
    let last: number;
    let step: number;
    const fk = ks.find_keys;
    if (fk.type === 'range') {
      step = fk.spec.keystep;
      if (fk.spec.lastkey >= 0) last = first + fk.spec.lastkey;
      else if (!fk.spec.limit) last = argc + fk.spec.lastkey;
      else last = first + (Math.floor((argc - first) / fk.spec.limit) + fk.spec.lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.spec.keystep;
      const at = first + fk.spec.keynumidx;
      if (fk.spec.keynumidx >= argc || at >= argc) return null;
      const text = args[at]!.toString('latin1');
      if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
      const numkeys = Number(text);
      if (numkeys < 0) return null;
      first += fk.spec.firstkey;
      last = first + numkeys - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    const f = refFlags(ks.flags);
    for (let i = first; i <= last; i += step || 1) out.push({ pos: i, ...f });
  }
  return out;
}

/** SORT's own rule (Redis sortGetKeys): the key (read), and the last STORE's argument (written). */
function sortKeys(args: readonly Buffer[], ro: boolean): KeyRef[] {
  const out: KeyRef[] = [{ pos: 1, read: true, write: false }];
  if (ro) return out;
  let store = 0;
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (optIs(a, 'limit')) i += 2;
    else if (optIs(a, 'get') || optIs(a, 'by')) i += 1;
    else if (optIs(a, 'store') && i + 1 < args.length) store = i + 1;
  }
  if (store) out.push({ pos: store, read: false, write: true });
  return out;
}

/** SET's and BITFIELD's own rules (setGetKeys, bitfieldGetKeys): their key spec flags vary. */
function variableFlagKeys(fullName: string, args: readonly Buffer[]): KeyRef[] {
  if (args.length < 2) return [];
  if (fullName === 'set') {
    const get = args.slice(3).some((a) => optIs(a, 'get'));
    return [{ pos: 1, read: get, write: true }];
  }
  // BITFIELD: only GETs read; a SET or INCRBY writes too.
  const writes = args.slice(2).some((a) => optIs(a, 'set') || optIs(a, 'incrby'));
  return [{ pos: 1, read: true, write: writes }];
}

/**
 * The positions of a command line's keys (args[0] is the command; a subcommand's name is args[1]),
 * as COMMAND GETKEYS reports them; null when the arguments do not say (a bad numkeys, say).
 * `legacy` is the command table's own first/last/step, used where Redis uses a command's rule.
 */
export function commandKeys(fullName: string, meta: CommandMeta | undefined, legacy: LegacyKeys, args: readonly Buffer[]): number[] | null {
  return commandKeyRefs(fullName, meta, legacy, args)?.map((r) => r.pos) ?? null;
}

/** The command table's own first/last/step key range. */
export interface LegacyKeys {
  firstKey: number;
  lastKey: number;
  step: number;
  flags: readonly string[];
}

/** commandKeys with what the command does to each key (ACL key rights). */
export function commandKeyRefs(fullName: string, meta: CommandMeta | undefined, legacy: LegacyKeys, args: readonly Buffer[]): KeyRef[] | null {
  const specs = meta?.keySpecs ?? [];
  const variable = specs.some((ks) => ks.flags.includes('variable_flags'));
  if (fullName === 'sort' || fullName === 'sort_ro') return sortKeys(args, fullName === 'sort_ro'); // an 'unknown' spec
  if (variable && (fullName === 'set' || fullName === 'bitfield')) return variableFlagKeys(fullName, args);
  // Specs whose flags do not vary say it all (a bad numkeys: no keys, as Redis's own rules say too).
  if (specs.length && !variable) return keysBySpecs(specs, args);
  if (legacy.firstKey <= 0) return specs.length ? null : [];
  const last = legacy.lastKey < 0 ? args.length + legacy.lastKey : legacy.lastKey;
  const ro = legacy.flags.includes('readonly');
  const out: KeyRef[] = [];
  for (let i = legacy.firstKey; i <= last && i < args.length; i += legacy.step || 1) out.push({ pos: i, read: true, write: !ro });
  return out;
}
