/**
 * The host stand-in of the cold-start scenario, as small as the worker's own loading step: it serves
 * `@azure/functions-core`, loads the given entry points as the Node.js worker does (ES modules with
 * `import()`, CommonJS files with `require`), prints what was registered, and exits. The time
 * from process start to exit is the cold start of the app on top of Node's own.
 *
 *   node load-app.js <entry point>...
 */
import { loadEntryPoint } from '../../devhost/entry-point.js';
import { installFunctionsCore } from '../../devhost/functions-core.js';

const core = installFunctionsCore();
for (const entryPoint of process.argv.slice(2)) {
  await loadEntryPoint(entryPoint);
}
core.lockIndexing();
const registered = core.registrations.map((registration) => ({
  name: registration.metadata.name,
  bindings: registration.rawBindings.map((binding) => JSON.parse(binding) as unknown),
}));
process.stdout.write(JSON.stringify(registered));
