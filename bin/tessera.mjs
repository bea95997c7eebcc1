#!/usr/bin/env node
// In a source checkout (src/ present and tsx, a devDependency, installed), run the TypeScript
// sources through tsx; otherwise, as in an installed package, which ships no src/ and no tsx,
// run the compiled dist/.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

function canResolve(specifier) {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

const source = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (existsSync(source) && canResolve("tsx/esm/api")) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  process.stderr.write("tessera: dist/ is missing; run npm run build (or npm install, which builds it)\n");
  process.exitCode = 1;
}
