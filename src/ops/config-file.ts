// Reads the YAML config file into raw (text) assignments, each labelled with file:line so that a
// bad value is reported where it is written. The failsafe schema keeps every scalar as text, so
// the file goes through the same parsers as flags and environment variables (no YAML 1.1/1.2
// surprises such as 0123 becoming 123).

import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { findSetting, suggestion, type Setting } from './settings.js';

export interface Assignment {
  setting: Setting;
  raw: string;
  /** Where the value came from, for messages: `--port`, `DAXCACHE_PORT`, `/etc/daxcache.yaml:3`. */
  source: string;
}

export function readConfigFile(file: string, how: string): Assignment[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new ConfigError(`cannot read config file ${file} (from ${how}): ${why}`);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file: string): Assignment[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}`;
  };
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    const msg = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`cannot parse config file ${file}:${pos.line}:${pos.col}: ${msg}`);
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === '')) return []; // empty or comments only
  if (!isMap(root)) {
    throw new ConfigError(`config file ${at(root.range?.[0])} must be a mapping of "setting: value" lines`);
  }
  const out: Assignment[] = [];
  for (const pair of root.items) {
    const keyNode = pair.key;
    const where = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const setting = findSetting(name);
    if (!setting || name !== setting.name) {
      throw new ConfigError(`unknown setting "${name}" (from ${where})${suggestion(name)}`);
    }
    const v = pair.value;
    if (v !== null && !isScalar(v)) {
      throw new ConfigError(`invalid ${setting.name} (from ${where}): expected a single value, not a list or mapping`);
    }
    out.push({ setting, raw: v === null ? '' : String(v.value), source: where });
  }
  return out;
}
