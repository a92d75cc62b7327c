/**
 * Parser for the subset of OData `$filter` that SharePoint list items accept through Microsoft Graph:
 * comparisons (`eq ne gt ge lt le`) between a property path and a literal, `and`, `or`, `not` and
 * parentheses. Literals: 'strings' (with '' escaping), numbers, true/false, null and unquoted
 * date/time values (`2026-12-01T00:00:00Z`). Operators are lower case, as OData requires.
 */

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterLiteral =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  /** An unquoted OData date (`2026-12-01`) or dateTimeOffset (`2026-12-01T00:00:00Z`), kept as written. */
  | { readonly kind: 'dateTime'; readonly value: string };

export type FilterExpression =
  | {
      readonly kind: 'logical';
      readonly operator: 'and' | 'or';
      readonly left: FilterExpression;
      readonly right: FilterExpression;
    }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  /** Always `property operator literal`: `'x' eq fields/A` is normalised to `fields/A eq 'x'`. */
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly property: string;
      readonly literal: FilterLiteral;
    };

/** A `$filter` that is not valid in the supported grammar; `position` is the 0-based offset of the problem. */
export class FilterSyntaxError extends Error {
  readonly code = 'InvalidFilter';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

export interface ParseFilterOptions {
  /** Deepest nesting of parentheses/`not` accepted, so hostile input cannot exhaust the stack. Default 64. */
  readonly maxDepth?: number;
}

const comparisonOperators: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const flippedOperator: Readonly<Record<ComparisonOperator, ComparisonOperator>> = {
  eq: 'eq',
  ne: 'ne',
  gt: 'lt',
  ge: 'le',
  lt: 'gt',
  le: 'ge',
};

type Token =
  | { readonly type: 'identifier'; readonly text: string; readonly position: number }
  | { readonly type: 'literal'; readonly literal: FilterLiteral; readonly position: number }
  | { readonly type: 'open' | 'close' | 'comma' | 'end'; readonly position: number };

const DATE_TIME_PATTERN =
  /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2}))?(?![\w:.-])/y;
const NUMBER_PATTERN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const IDENTIFIER_PATTERN = /[A-Za-z_$][\w$]*(?:\/[A-Za-z_$][\w$]*)*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text.charAt(position);
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      position += 1;
      continue;
    }
    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ type: char === '(' ? 'open' : char === ')' ? 'close' : 'comma', position });
      position += 1;
      continue;
    }
    if (char === "'") {
      const { value, end } = readString(text, position);
      tokens.push({ type: 'literal', literal: { kind: 'string', value }, position });
      position = end;
      continue;
    }
    const dateTime = matchAt(DATE_TIME_PATTERN, text, position);
    if (dateTime !== undefined) {
      tokens.push({ type: 'literal', literal: { kind: 'dateTime', value: dateTime }, position });
      position += dateTime.length;
      continue;
    }
    const number = matchAt(NUMBER_PATTERN, text, position);
    if (number !== undefined) {
      tokens.push({ type: 'literal', literal: { kind: 'number', value: Number(number) }, position });
      position += number.length;
      continue;
    }
    const identifier = matchAt(IDENTIFIER_PATTERN, text, position);
    if (identifier !== undefined) {
      tokens.push(keywordOrIdentifier(identifier, position));
      position += identifier.length;
      continue;
    }
    throw new FilterSyntaxError(`Syntax error: character '${char}' is not valid at position ${position}.`, position);
  }
  tokens.push({ type: 'end', position: text.length });
  return tokens;
}

function matchAt(pattern: RegExp, text: string, position: number): string | undefined {
  pattern.lastIndex = position;
  return pattern.exec(text)?.[0];
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text.charAt(position);
    if (char === "'") {
      if (text.charAt(position + 1) === "'") {
        value += "'";
        position += 2;
        continue;
      }
      return { value, end: position + 1 };
    }
    value += char;
    position += 1;
  }
  throw new FilterSyntaxError(`Syntax error: unterminated string literal at position ${start}.`, start);
}

function keywordOrIdentifier(text: string, position: number): Token {
  switch (text) {
    case 'true':
    case 'false':
      return { type: 'literal', literal: { kind: 'boolean', value: text === 'true' }, position };
    case 'null':
      return { type: 'literal', literal: { kind: 'null' }, position };
    default:
      return { type: 'identifier', text, position };
  }
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  parse(): FilterExpression {
    const expression = this.parseOr();
    const next = this.peek();
    if (next.type !== 'end') {
      throw new FilterSyntaxError(
        `Syntax error at position ${next.position}: expected 'and', 'or' or the end of the expression.`,
        next.position,
      );
    }
    return expression;
  }

  private parseOr(): FilterExpression {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.index += 1;
      left = { kind: 'logical', operator: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.index += 1;
      left = { kind: 'logical', operator: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterExpression {
    const token = this.peek();
    if (this.isKeyword('not')) {
      this.index += 1;
      return { kind: 'not', operand: this.nested(token.position, () => this.parseUnary()) };
    }
    if (token.type === 'open') {
      this.index += 1;
      const inner = this.nested(token.position, () => this.parseOr());
      this.expect('close', "')'");
      return inner;
    }
    return this.parseComparison();
  }

  private nested(position: number, parse: () => FilterExpression): FilterExpression {
    this.depth += 1;
    if (this.depth > this.maxDepth) {
      throw new FilterSyntaxError(`The filter is nested more than ${this.maxDepth} levels deep.`, position);
    }
    const expression = parse();
    this.depth -= 1;
    return expression;
  }

  private parseComparison(): FilterExpression {
    const left = this.parseOperand();
    const operatorToken = this.peek();
    if (operatorToken.type !== 'identifier' || !comparisonOperators.has(operatorToken.text)) {
      throw new FilterSyntaxError(
        `Syntax error at position ${operatorToken.position}: expected a comparison operator (eq, ne, gt, ge, lt, le).`,
        operatorToken.position,
      );
    }
    this.index += 1;
    const operator = operatorToken.text as ComparisonOperator;
    const right = this.parseOperand();
    if (left.type === 'identifier' && right.type === 'literal') {
      return { kind: 'comparison', operator, property: left.text, literal: right.literal };
    }
    if (left.type === 'literal' && right.type === 'identifier') {
      return { kind: 'comparison', operator: flippedOperator[operator], property: right.text, literal: left.literal };
    }
    throw new FilterSyntaxError(
      `Syntax error at position ${left.position}: a comparison needs one property and one literal.`,
      left.position,
    );
  }

  private parseOperand(): Extract<Token, { type: 'identifier' | 'literal' }> {
    const token = this.peek();
    if (token.type === 'literal') {
      this.index += 1;
      return token;
    }
    if (token.type === 'identifier' && !isKeyword(token.text)) {
      if (this.tokens[this.index + 1]?.type === 'open') {
        throw new FilterSyntaxError(
          `Unsupported function '${token.text}' at position ${token.position}.`,
          token.position,
        );
      }
      this.index += 1;
      return token;
    }
    throw new FilterSyntaxError(
      `Syntax error at position ${token.position}: expected a property or a literal.`,
      token.position,
    );
  }

  private expect(type: 'close', description: string): void {
    const token = this.peek();
    if (token.type !== type) {
      throw new FilterSyntaxError(
        `Syntax error at position ${token.position}: expected ${description}.`,
        token.position,
      );
    }
    this.index += 1;
  }

  private isKeyword(keyword: 'and' | 'or' | 'not'): boolean {
    const token = this.peek();
    return token.type === 'identifier' && token.text === keyword;
  }

  private peek(): Token {
    // The token list always ends with an 'end' token, which is never consumed.
    return this.tokens[this.index] ?? { type: 'end', position: 0 };
  }
}

function isKeyword(text: string): boolean {
  return text === 'and' || text === 'or' || text === 'not' || comparisonOperators.has(text);
}

/** Parses an OData `$filter` value. Throws {@link FilterSyntaxError} for anything outside the supported grammar. */
export function parseFilter(text: string, options: ParseFilterOptions = {}): FilterExpression {
  if (text.trim() === '') {
    throw new FilterSyntaxError('The filter expression is empty.', 0);
  }
  return new Parser(tokenize(text), options.maxDepth ?? 64).parse();
}
