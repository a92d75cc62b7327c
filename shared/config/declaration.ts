/**
 * How a setting is declared: its name, its rule, whether it is required or has a default, and one line
 * for the README. schema.ts declares every setting this way; everything else is derived from it.
 */
import type { Rule } from './rule.js';

/** Must be set. `sample` is what local.settings.sample.json shows: a placeholder in <angle brackets>, or a suggestion. */
export interface Required {
  readonly kind: 'required';
  readonly sample: string;
}

/** Takes `value` when absent or blank. */
export interface Defaulted {
  readonly kind: 'default';
  readonly value: string;
}

/**
 * Whether it must be set depends on other settings (`when` says how, for the README); the loader's
 * rules for groups of settings read it. Without a `sample` it is left out of local.settings.sample.json.
 */
export interface Conditional {
  readonly kind: 'conditional';
  readonly when: string;
  readonly sample?: string;
}

export type Presence = Required | Defaulted | Conditional;

export interface SettingDeclaration<T = unknown, P extends Presence = Presence> {
  /** As in app settings and `local.settings.json`. */
  readonly name: string;
  readonly rule: Rule<T>;
  readonly presence: P;
  /** One line for the README's settings table. */
  readonly description: string;
}

/** Declarations, possibly grouped (the list columns), keyed as in `SETTINGS`. */
export interface SettingTree {
  readonly [key: string]: SettingDeclaration | SettingTree;
}

export function required<T>(
  name: string,
  rule: Rule<T>,
  doc: { readonly description: string; readonly sample: string },
): SettingDeclaration<T, Required> {
  return { name, rule, presence: { kind: 'required', sample: doc.sample }, description: doc.description };
}

export function defaulted<T>(
  name: string,
  value: string,
  rule: Rule<T>,
  description: string,
): SettingDeclaration<T, Defaulted> {
  return { name, rule, presence: { kind: 'default', value }, description };
}

export function conditional<T>(
  name: string,
  rule: Rule<T>,
  doc: { readonly description: string; readonly when: string; readonly sample?: string },
): SettingDeclaration<T, Conditional> {
  const presence: Conditional = {
    kind: 'conditional',
    when: doc.when,
    ...(doc.sample === undefined ? {} : { sample: doc.sample }),
  };
  return { name, rule, presence, description: doc.description };
}

export function isDeclaration(node: SettingDeclaration | SettingTree): node is SettingDeclaration {
  return typeof node.name === 'string' && 'rule' in node;
}

/** Every declaration of `tree`, in declaration order (the README's, and that of the problems reported). */
export function declarationsOf(tree: SettingTree): SettingDeclaration[] {
  return Object.values(tree).flatMap((node) => (isDeclaration(node) ? [node] : declarationsOf(node)));
}

/** `tree` with each declaration replaced by `map(declaration)`, left out where that is undefined; frozen. */
export function mapTree<R>(
  tree: SettingTree,
  map: (declaration: SettingDeclaration) => R | undefined,
): Readonly<Record<string, unknown>> {
  const mapped: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    const value = isDeclaration(node) ? map(node) : mapTree(node, map);
    if (value !== undefined) mapped[key] = value;
  }
  return Object.freeze(mapped);
}
