/**
 * Reading settings and collecting what is wrong with them, so that one ConfigError lists every problem:
 * `setting` names the first bad setting (in schema order) and the one-line message names each, what was
 * found (unless it may be a secret) and what is expected.
 */
import * as v from 'valibot';
import { ConfigError } from '../base/errors.js';
import type { SettingDeclaration } from './declaration.js';
import { quote } from './rule.js';
import type { SettingsSource } from './types.js';

export interface Problem {
  readonly setting: string;
  readonly message: string;
}

/** Stops each setting's checks at the first failure: one reason per setting, and later checks may rely on earlier ones. */
export const PARSE_CONFIG = { abortPipeEarly: true } as const;

/** The trimmed value, or undefined when absent or blank (blank counts as not set). */
export function asSettingText(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function settingText(env: SettingsSource, name: string): string | undefined {
  return asSettingText(env[name]);
}

export function missing(declaration: SettingDeclaration): Problem {
  const { name, rule } = declaration;
  return { setting: name, message: `${name} is required: set it to ${rule.expected}` };
}

/** `text` does not fit; `reason` (an issue's message, possibly empty) says why, if more than `expected`. */
export function invalid(declaration: SettingDeclaration, text: string, reason: string): Problem {
  const { name, rule } = declaration;
  const shown = (rule.show ?? quote)(text);
  const why = reason === '' ? '' : shown === undefined ? ` (${reason})` : `: ${reason}`;
  const found = shown === undefined ? why : ` (got ${shown}${why})`;
  return { setting: name, message: `${name} must be ${rule.expected}${found}` };
}

export class Problems {
  private readonly found: Problem[] = [];

  constructor(private readonly env: SettingsSource) {}

  get count(): number {
    return this.found.length;
  }

  add(problem: Problem): undefined {
    this.found.push(problem);
    return undefined;
  }

  text(declaration: SettingDeclaration): string | undefined {
    return settingText(this.env, declaration.name);
  }

  /** The value of `text` for the setting, or undefined (and a problem) when it does not fit. */
  parse<T>(declaration: SettingDeclaration<T>, text: string): T | undefined {
    const result = v.safeParse(declaration.rule.schema, text, PARSE_CONFIG);
    return result.success ? result.output : this.add(invalid(declaration, text, result.issues[0].message));
  }

  /** The setting's value; undefined and a problem when it is absent or does not fit. */
  required<T>(declaration: SettingDeclaration<T>): T | undefined {
    const text = this.text(declaration);
    return text === undefined ? this.add(missing(declaration)) : this.parse(declaration, text);
  }

  /** The value of an optional setting: undefined when absent, and a problem too when it does not fit. */
  optional<T>(declaration: SettingDeclaration<T>): T | undefined {
    const text = this.text(declaration);
    return text === undefined ? undefined : this.parse(declaration, text);
  }

  /** Every problem in one error, ordered as `order` lists the settings. */
  toError(order: readonly SettingDeclaration[]): ConfigError {
    const rank = (problem: Problem) => order.findIndex((declaration) => declaration.name === problem.setting);
    const problems = [...this.found].sort((a, b) => rank(a) - rank(b));
    const [first] = problems;
    if (first === undefined) {
      // Unreachable while every reader reports a problem whenever it returns undefined.
      return new ConfigError('(unknown)', 'The configuration is incomplete');
    }
    if (problems.length === 1) {
      return new ConfigError(first.setting, first.message);
    }
    const listed = problems.map((problem, index) => `(${index + 1}) ${problem.message}`).join(' ');
    return new ConfigError(first.setting, `${problems.length} settings are invalid: ${listed}`);
  }
}
