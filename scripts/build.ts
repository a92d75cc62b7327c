/**
 * `npm run build` (after the type check): bundles the function app into `dist/main.cjs`, the file
 * package.json `main` names, and the chunks it loads (see scripts/support/function-app-bundle.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_MAIN, bundleFunctionApp } from './support/function-app-bundle.js';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const bundle = await bundleFunctionApp({ outDir: path.join(appRoot, path.dirname(BUNDLE_MAIN)) });
const lazy = bundle.lazyFiles.map((file) => path.relative(appRoot, file)).join(', ');
process.stdout.write(`${BUNDLE_MAIN}: ${bundle.functionFiles.join(', ')}; loaded at the first run: ${lazy}\n`);
