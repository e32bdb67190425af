// Configuration errors: one message that names the setting, the bad value and where it came from.
// The CLI prints `message` alone and exits with CONFIG_EXIT_CODE (2, like a usage error).

export const CONFIG_EXIT_CODE = 2;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly exitCode = CONFIG_EXIT_CODE;
}

/** Thrown by value parsers with the reason only; loadConfig adds the setting name and source. */
export class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
  /**
   * @param message daxcache's reason, for startup errors (flags, env, YAML).
   * @param redis Redis 7's wording of the same problem, for CONFIG SET replies; defaults to message.
   */
  constructor(
    message: string,
    readonly redis: string = message,
  ) {
    super(message);
  }
}
