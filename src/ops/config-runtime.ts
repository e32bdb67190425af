// CONFIG GET / CONFIG SET on a loaded Config, with Redis 7's semantics and error texts.
// Errors are returned as the RESP error message (starting with "ERR "), never thrown.

import { InvalidValue } from './errors.js';
import { globMatch } from './glob.js';
import { findSetting, SETTINGS, type Config, type Setting } from './settings.js';

/** `[name, value]` pairs for CONFIG GET pattern [pattern ...], in table order, without repeats. */
export function configGet(config: Config, patterns: readonly string[]): [string, string][] {
  const hit = new Set<Setting>();
  for (const p of patterns) {
    if (!/[*?[]/.test(p)) {
      const s = findSetting(p);
      if (s) hit.add(s);
      continue;
    }
    for (const s of SETTINGS) if (globMatch(p, s.name)) hit.add(s);
  }
  return SETTINGS.filter((s) => hit.has(s)).map((s) => [s.name, s.show(config[s.key])]);
}

export type ConfigSetResult =
  | { ok: true; /** Names of the settings that were assigned (the server reacts, e.g. log-level). */ set: string[] }
  | { ok: false; error: string };

/**
 * A setting the server must act on before it is assigned, because acting can fail (growing the pool
 * needs room on its volume): returns null when done, or why not (the CONFIG SET error's reason).
 */
export type ConfigApply = (name: string, value: unknown, pending: Readonly<Partial<Config>>) => string | null;

/**
 * CONFIG SET name value [name value ...]: all pairs are validated first and applied only if every
 * one is valid, as in Redis 7. `config` is mutated in place. `apply` runs for each pair, in order,
 * after all of them parsed and before any is assigned; a refusal fails the command with nothing
 * assigned.
 */
export function configSet(config: Config, args: readonly string[], apply?: ConfigApply): ConfigSetResult {
  if (args.length === 0) return { ok: false, error: "ERR wrong number of arguments for 'config|set' command" };
  if (args.length % 2 !== 0) return { ok: false, error: 'ERR syntax error' };

  const failed = (name: string, why: string): ConfigSetResult => ({
    ok: false,
    error: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`,
  });
  const pairs: [Setting, unknown][] = [];
  // Redis reports an unknown name before any other problem in the command.
  for (let i = 0; i < args.length; i += 2) {
    if (!findSetting(args[i]!)) {
      return { ok: false, error: `ERR Unknown option or number of arguments for CONFIG SET - '${args[i]}'` };
    }
  }
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]!;
    const s = findSetting(name)!;
    if (!s.mutable) return failed(name, "can't set immutable config");
    if (pairs.some(([p]) => p === s)) return failed(name, 'duplicate parameter');
    try {
      pairs.push([s, s.parse(args[i + 1]!)]);
    } catch (err) {
      if (!(err instanceof InvalidValue)) throw err;
      return failed(name, err.redis);
    }
  }
  if (apply) {
    // Every pair of the command, so settings that only work together (a certificate and its key)
    // are checked together.
    const pending = Object.fromEntries(pairs.map(([s, v]) => [s.key, v])) as Partial<Config>;
    for (const [s, v] of pairs) {
      const why = apply(s.name, v, pending);
      if (why !== null) return failed(s.name, why);
    }
  }
  const target = config as unknown as Record<string, unknown>;
  for (const [s, v] of pairs) target[s.key] = v;
  return { ok: true, set: pairs.map(([s]) => s.name) };
}
