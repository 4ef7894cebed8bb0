/** Minimal flag parsing with notation's flag names: `--flag value`, `--flag=value`, `-o value`, repeatable flags. */
import { SignetError } from '../lib/errors';

export interface FlagSpec {
  /** Long name without dashes, e.g. "output". */
  name: string;
  short?: string;
  /** Boolean flags take no value. */
  boolean?: boolean;
  repeatable?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const byName = (token: string) =>
    token.startsWith('--') ? specs.find((s) => s.name === token.slice(2)) : specs.find((s) => s.short !== undefined && s.short === token.slice(1));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const token = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName(token);
    if (!spec) throw new SignetError('ERR_INPUT_INVALID', `unknown flag: ${token}`);
    let value: string;
    if (spec.boolean) value = eq > 0 ? arg.slice(eq + 1) : 'true';
    else if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new SignetError('ERR_INPUT_INVALID', `flag needs an argument: ${token}`);
      value = next;
      i++;
    }
    const list = flags.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new SignetError('ERR_INPUT_INVALID', `flag given more than once: --${spec.name}`);
    list.push(value);
    flags.set(spec.name, list);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}
