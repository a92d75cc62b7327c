import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { moduleSummary, renderLayout } from '../../scripts/docs/layout.js';
import { APP_ROOT, readSection, README_FILE, replaceSection } from '../../scripts/docs/readme-sections.js';

describe('the README sections made from the code', () => {
  it('the layout names every folder and module as the tree has them (fix: npm run docs)', async () => {
    const readme = await readFile(README_FILE, 'utf8');
    const layout = await renderLayout(APP_ROOT);
    expect(readSection(readme, 'layout')).toBe(layout);
    expect(layout).toContain('`shared/reminders/` — ');
    expect(layout).toContain('  - `runtime.ts` — ');
  });

  it("a module's line is the first sentence of the doc comment it opens with", () => {
    expect(moduleSummary('/**\n * Reads pages. Then more.\n */\nimport x from "y";')).toBe('Reads pages.');
    expect(moduleSummary('/** One line, no period */\nexport {};')).toBe('One line, no period');
    expect(moduleSummary("import x from 'y';\n/** Documents x, not the module. */")).toBeUndefined();
  });

  it('replaces only the text between the markers', () => {
    const readme = 'intro\n<!-- layout:begin -->\nold\n<!-- layout:end -->\noutro\n';
    expect(replaceSection(readme, 'layout', 'new')).toBe(
      'intro\n<!-- layout:begin -->\nnew\n<!-- layout:end -->\noutro\n',
    );
    expect(() => readSection('no markers', 'layout')).toThrow(/no "<!-- layout:begin -->"/);
  });
});
