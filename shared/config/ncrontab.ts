/**
 * Syntax check of the six-field NCRONTAB expressions that Azure Functions timer triggers use:
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, each field a comma-separated list of `*`,
 * `n`, `a-b`, optionally followed by `/step`; months and days of the week may be written as names.
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names for min, min + 1, ... (case-insensitive). */
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const ITEM = /^(?:(\*)|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:\/(\d+))?$/;

/** Undefined if `expression` is a valid six-field NCRONTAB expression, else what is wrong with it. */
export function ncrontabProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    return `${parts.length} field${parts.length === 1 ? '' : 's'} instead of ${FIELDS.length}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[index] ?? '', field);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

function fieldProblem(text: string, field: CronField): string | undefined {
  for (const item of text.split(',')) {
    const match = ITEM.exec(item);
    if (match === null) {
      return `${field.name} field "${text}" is not a list of *, n, a-b or */step`;
    }
    const [, star, first, last, step] = match;
    if (star === undefined) {
      const from = fieldValue(first ?? '', field);
      const to = last === undefined ? from : fieldValue(last, field);
      if (from === undefined || to === undefined) {
        return `${field.name} field "${text}" has a value outside ${field.min}-${field.max}`;
      }
      if (from > to) {
        return `${field.name} field "${text}" has a range that runs backwards`;
      }
    }
    if (step !== undefined && Number(step) < 1) {
      return `${field.name} field "${text}" has a step of 0`;
    }
  }
  return undefined;
}

function fieldValue(text: string, field: CronField): number | undefined {
  const value = /^\d+$/.test(text) ? Number(text) : nameValue(text, field);
  return value !== undefined && value >= field.min && value <= field.max ? value : undefined;
}

function nameValue(text: string, field: CronField): number | undefined {
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index < 0 ? undefined : field.min + index;
}
