// YAML output for CONFIG REWRITE and for the reference file config/daxcache.yaml.
// With `previous` (the file as it is now) only settings whose value changed are touched, so the
// operator's comments, order and spelling (e.g. 1024mb) survive, as Redis's CONFIG REWRITE does.

import { resolve } from 'node:path';
import { isMap, isScalar, parseDocument, stringify, Scalar } from 'yaml';
import { SETTINGS, type Config, type Setting } from './settings.js';

export interface RenderOptions {
  /** The current text of the config file, to update in place. */
  previous?: string;
  /** For comparing relative paths in `previous` with the resolved pool path. */
  cwd?: string;
}

const HEADER = [
  '# daxcache configuration: every setting with its default and what it does.',
  '# Precedence: command-line flags (--pool-size 4gb) > environment (DAXCACHE_POOL_SIZE=4gb) > this file > defaults.',
  '# Sizes are bytes or Redis units, case-insensitive: k=1000, kb=1024, m=1000^2, mb=1024^2, g=1000^3, gb=1024^3.',
  '# [runtime] settings can be changed with CONFIG SET; CONFIG REWRITE writes the running values back here.',
];

export function renderYaml(config: Config, opts: RenderOptions = {}): string {
  if (opts.previous !== undefined) {
    const updated = updateInPlace(config, opts.previous, opts.cwd ?? process.cwd());
    if (updated !== null) return updated;
  }
  return renderFull(config);
}

/** The value to write: "" for a bind that follows `bind`, the human form otherwise. */
function fileText(s: Setting, config: Config): string {
  const v = config[s.key];
  if (s.followsBind && v === config.bind) return '';
  return s.text(v);
}

function scalarText(text: string): string {
  if (text === '') return '""';
  return stringify(text, { schema: 'failsafe', lineWidth: 0 }).trimEnd();
}

function renderFull(config: Config): string {
  const out = [...HEADER];
  let section = '';
  for (const s of SETTINGS) {
    if (s.section !== section) {
      section = s.section;
      out.push('', `# --- ${section} ---`);
    }
    out.push(`# ${s.doc}${s.mutable ? ' [runtime]' : ''}`);
    out.push(`${s.name}: ${scalarText(fileText(s, config))}`);
  }
  return out.join('\n') + '\n';
}

/** Same setting value? Compared after parsing, so `1024mb` in the file equals 1gb. */
function sameValue(s: Setting, raw: string, config: Config, cwd: string): boolean {
  let v: unknown;
  try {
    v = s.parse(raw);
  } catch {
    return false;
  }
  if (s.followsBind && v === '') v = config.bind;
  if (s.isPath && v !== '') v = resolve(cwd, v as string);
  return s.show(v) === s.show(config[s.key]);
}

function updateInPlace(config: Config, previous: string, cwd: string): string | null {
  const doc = parseDocument(previous, { schema: 'failsafe', uniqueKeys: true });
  // A damaged or empty file is replaced by the full reference rather than patched.
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
  for (const s of SETTINGS) {
    const node = doc.get(s.name, true);
    const text = fileText(s, config);
    if (node === undefined) {
      // Absent settings are left to their defaults unless the running value differs.
      if (!sameValue(s, s.default, config, cwd)) doc.set(s.name, quoted(text));
      continue;
    }
    if (isScalar(node) && sameValue(s, String(node.value), config, cwd)) continue;
    if (isScalar(node)) {
      node.value = text;
      node.type = text === '' ? Scalar.QUOTE_DOUBLE : undefined;
    } else {
      doc.set(s.name, quoted(text));
    }
  }
  return doc.toString({ lineWidth: 0 });
}

function quoted(text: string): Scalar {
  const node = new Scalar(text);
  if (text === '') node.type = Scalar.QUOTE_DOUBLE;
  return node;
}
