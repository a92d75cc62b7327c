import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parseFilter } from '../../../emulators/graph/odata-filter.js';

describe('parseFilter', () => {
  it('parses a comparison of a property path with a string literal', () => {
    expect(parseFilter("fields/Status eq 'Open'")).toEqual({
      kind: 'comparison',
      operator: 'eq',
      property: 'fields/Status',
      literal: { kind: 'string', value: 'Open' },
    });
  });

  it.each(['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const)('accepts the %s operator', (operator) => {
    expect(parseFilter(`fields/AmountDue ${operator} 100.5`)).toMatchObject({
      operator,
      literal: { kind: 'number', value: 100.5 },
    });
  });

  it('reads numbers, booleans, null, unquoted dates and escaped quotes', () => {
    const literalOf = (text: string): unknown => {
      const expression = parseFilter(`fields/X eq ${text}`);
      return expression.kind === 'comparison' ? expression.literal : undefined;
    };
    expect(literalOf('-12')).toEqual({ kind: 'number', value: -12 });
    expect(literalOf('1.5e3')).toEqual({ kind: 'number', value: 1500 });
    expect(literalOf('true')).toEqual({ kind: 'boolean', value: true });
    expect(literalOf('null')).toEqual({ kind: 'null' });
    expect(literalOf('2026-12-01T00:00:00Z')).toEqual({ kind: 'dateTime', value: '2026-12-01T00:00:00Z' });
    expect(literalOf('2026-12-01')).toEqual({ kind: 'dateTime', value: '2026-12-01' });
    expect(literalOf("'O''Brien Ltd'")).toEqual({ kind: 'string', value: "O'Brien Ltd" });
  });

  it('binds and tighter than or, and honours parentheses', () => {
    const flat = parseFilter('fields/A eq 1 or fields/B eq 2 and fields/C eq 3');
    expect(flat).toMatchObject({ kind: 'logical', operator: 'or', right: { kind: 'logical', operator: 'and' } });
    const grouped = parseFilter('(fields/A eq 1 or fields/B eq 2) and fields/C eq 3');
    expect(grouped).toMatchObject({ kind: 'logical', operator: 'and', left: { kind: 'logical', operator: 'or' } });
  });

  it('parses not', () => {
    expect(parseFilter("not (fields/A eq 'x')")).toMatchObject({
      kind: 'not',
      operand: { kind: 'comparison', operator: 'eq' },
    });
  });

  it('normalises a literal on the left by flipping the operator', () => {
    expect(parseFilter("'2026-12-01T00:00:00Z' le fields/DueDate")).toMatchObject({
      operator: 'ge',
      property: 'fields/DueDate',
      literal: { kind: 'string', value: '2026-12-01T00:00:00Z' },
    });
  });

  it.each([
    ['', 'empty'],
    ["fields/A eq 'open", 'unterminated'],
    ['fields/A equals 1', 'comparison operator'],
    ['fields/A eq fields/B', 'one property and one literal'],
    ["startswith(fields/A,'x')", "Unsupported function 'startswith'"],
    ['fields/A eq 1 and', 'expected a property or a literal'],
    ['(fields/A eq 1', "expected ')'"],
    ['fields/A eq 1 fields/B eq 2', "expected 'and', 'or'"],
    ['fields/A EQ 1', 'comparison operator'],
    ['fields/A eq #', "character '#'"],
  ])('rejects %j (%s)', (text, fragment) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(text)).toThrow(fragment);
  });

  it('reports where the problem is and carries a code', () => {
    try {
      parseFilter('fields/A eq 1 xor fields/B eq 2');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterSyntaxError);
      expect(error).toMatchObject({ code: 'InvalidFilter', position: 14 });
    }
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = `${'('.repeat(100)}fields/A eq 1${')'.repeat(100)}`;
    expect(() => parseFilter(deep)).toThrow('nested more than 64 levels');
    expect(parseFilter(deep, { maxDepth: 128 })).toMatchObject({ kind: 'comparison' });
  });
});
