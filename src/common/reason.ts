/**
 * The reference's reason line: `template` filled with the call's named arguments (plain `{name}` substitution,
 * `{{`/`}}` for braces, never evaluated; a missing name gives the raw template), else `Args: k=v, …` (first 3,
 * values cut at 60 characters), else `Automated action`.
 */
export function buildReason(template: string | undefined, named: Record<string, unknown>): string {
  if (template) {
    let missing = false;
    const filled = template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (token, field: string | undefined) => {
      if (token === '{{') return '{';
      if (token === '}}') return '}';
      const name = (field ?? '').split(/[:!]/)[0]!.trim();
      if (!Object.hasOwn(named, name)) {
        missing = true;
        return token;
      }
      return show(named[name]);
    });
    return missing ? template : filled;
  }
  const parts = Object.entries(named)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${show(v).slice(0, 60)}`);
  return parts.length > 0 ? `Args: ${parts.join(', ')}` : 'Automated action';
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return String(value);
  }
}

/** The call's named arguments: the keys of a plain-object first argument, as the reference's kwargs. */
export function namedArguments(args: readonly unknown[]): Record<string, unknown> {
  const [first] = args;
  return args.length === 1 &&
    typeof first === 'object' &&
    first !== null &&
    !Array.isArray(first) &&
    Object.getPrototypeOf(first) === Object.prototype
    ? (first as Record<string, unknown>)
    : {};
}
