/**
 * Reads the e-mail template files (`templates/`: reminder.html.mustache, reminder.txt.mustache and
 * strings/<language>.json) for shared/reminders/mail-template.ts, which checks and renders them.
 *
 * The deploy bundle has no `templates/` folder: the build replaces this module with one that returns
 * the files as they were when it bundled them (scripts/support/function-app-bundle.ts), after checking
 * them, so a bad template fails the build as well as the runtime's start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MailTemplateFiles, TemplateFile } from '../reminders/mail-template.js';

/** The repository's template folder. */
export const MAIL_TEMPLATE_DIR = path.resolve(import.meta.dirname, '../../templates');

/** The template files under `dir`, with paths relative to the working directory for messages. */
export function readMailTemplateFiles(dir: string = MAIL_TEMPLATE_DIR): MailTemplateFiles {
  const read = (...parts: string[]): TemplateFile => {
    const file = path.join(dir, ...parts);
    return { file: path.relative(process.cwd(), file) || file, text: readFileSync(file, 'utf8') };
  };
  const strings = readdirSync(path.join(dir, 'strings'))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => read('strings', name));
  return { html: read('reminder.html.mustache'), text: read('reminder.txt.mustache'), strings };
}
