/** Base of every error temporal-hitl throws on purpose. */
export class HitlError extends Error {
  override readonly name: string = 'HitlError';
}

/** A `config.yaml` (or env override) that can't be used; `key` is the dotted path, e.g. `hitl.default_timeout`. */
export class ConfigError extends HitlError {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid config at ${key}: ${message}`, options);
  }
}

/** A call with a bad argument; `field` names it. Nothing was started or changed. */
export class InputError extends HitlError {
  override readonly name = 'InputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
