/**
 * Bicep files read with a real Bicep grammar from npm (tree-sitter-bicep, run by web-tree-sitter's
 * WebAssembly runtime): their syntax errors, and the declarations the infra tests look into. No Bicep
 * CLI is involved (it cannot be installed here), so this checks syntax, not types or resource schemas.
 * The grammar (1.1) knows Bicep up to about 0.30: not `resourceInput<…>` types, and `extension` only
 * through the shim below.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { Node } from 'web-tree-sitter';
import { REPO_ROOT } from '../scripts/run-command.js';

export const INFRA_DIR = path.join(REPO_ROOT, 'infra');

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
    const created = new Parser();
    created.setLanguage(await Language.load(wasm));
    return created;
  })();
  return parser;
}

/**
 * tree-sitter-bicep 1.1 predates Bicep's `extension` keyword, which replaced `import`/`provider` for
 * extensions (`extension 'br:…'`); the same statement under its old keyword is what the grammar knows.
 */
function withOldExtensionKeyword(source: string): string {
  return source.replace(/^extension(?=\s+')/gm, 'import   ');
}

export async function parseBicep(source: string): Promise<Node> {
  const tree = (await bicepParser()).parse(withOldExtensionKeyword(source));
  if (tree === null) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** `line:column text` of every error or missing token in the tree (empty: the file parses). */
export function syntaxErrors(root: Node): string[] {
  const errors: string[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      errors.push(`${where} ${node.isMissing ? `missing ${node.type}` : `unexpected ${node.text.slice(0, 40)}`}`);
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return errors;
}

/** Every .bicep file under infra/, relative to the repository. */
export async function bicepFiles(): Promise<string[]> {
  const names = await readdir(INFRA_DIR, { recursive: true });
  return names
    .filter((name) => name.endsWith('.bicep'))
    .map((name) => path.join('infra', name))
    .sort();
}

export async function readBicep(file: string): Promise<Node> {
  return parseBicep(await readFile(path.join(REPO_ROOT, file), 'utf8'));
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((child): child is Node => child !== null);
}

/** The text of a string literal without its quotes, or undefined for anything else (interpolations too). */
export function stringValue(node: Node | undefined): string | undefined {
  if (node?.type !== 'string') return undefined;
  const parts = named(node);
  if (parts.some((part) => part.type !== 'string_content')) return undefined;
  return parts.map((part) => part.text).join('');
}

/** A top-level declaration of this kind and name (`var roleIds`, `param reminderDays`). */
export function declaration(root: Node, kind: 'variable' | 'parameter', name: string): Node | undefined {
  return named(root).find((node) => node.type === `${kind}_declaration` && named(node)[0]?.text === name);
}

/** The key of an object property: an identifier or a quoted string. */
function propertyKey(property: Node): string {
  const key = named(property)[0];
  return (key && stringValue(key)) ?? key?.text ?? '';
}

/** Every object property under `node` (objects inside ternaries included), as key and value node. */
export function objectProperties(node: Node): { key: string; value: Node }[] {
  return node.descendantsOfType('object_property').flatMap((property) => {
    if (!property) return [];
    const value = named(property)[1];
    return value ? [{ key: propertyKey(property), value }] : [];
  });
}

/** The default of a parameter declaration (`param x string = '7,3,1'`), when it is a plain string. */
export function parameterDefault(root: Node, name: string): string | undefined {
  const parameter = declaration(root, 'parameter', name);
  return parameter ? stringValue(named(parameter)[2]) : undefined;
}

/** The names of every parameter declared in the file. */
export function parameterNames(root: Node): string[] {
  return named(root)
    .filter((node) => node.type === 'parameter_declaration')
    .map((node) => named(node)[0]?.text ?? '');
}
