/**
 * `npm run build` (after the type check): bundles the function app into `dist/main.cjs`, the file
 * package.json `main` names, and the chunks it loads (see scripts/support/function-app-bundle.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_MAIN, bundleFunctionApp } from './support/function-app-bundle.js';

const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const bundle = await bundleFunctionApp({ outDir: path.join(APP_ROOT, path.dirname(BUNDLE_MAIN)) });
const lazyFiles = bundle.lazyFiles.map((file) => path.relative(APP_ROOT, file));
process.stdout.write(
  `${BUNDLE_MAIN}: ${bundle.functionFiles.join(', ')}; loaded at the first run: ${lazyFiles.join(', ')}\n`,
);
