/**
 * Loads a function app's entry point as the Node.js worker does (its `loadScriptFile`): `require` for a
 * `.cjs` file, `import()` otherwise (`.mjs`, and `.js` or `.ts` here, as this app's package.json says
 * `"type": "module"`). `import()` of a CommonJS file would add the ES module loader's translation of it,
 * and route its own `require` calls through that loader, which the worker never does.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** `file`: absolute, or relative to the working directory. */
export async function loadEntryPoint(file: string): Promise<void> {
  const absolute = path.resolve(file);
  if (absolute.endsWith('.cjs')) {
    require(absolute);
    return;
  }
  await import(pathToFileURL(absolute).href);
}
