import * as assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

// Every public subpath has one docs page whose "Exports" table lists exactly what the subpath
// exports, and the limits the pages state are the numbers in the code.
//
// The convention, per subpath, in docs/*.md:
//
//   <!-- exports: tessera-auth/passwords -->
//   | export | kind | what |
//   | --- | --- | --- |
//   | `hashPassword` | function | ... |
//   | `PasswordHasher` | type | ... |
//
// The table starts at the first line after the marker that begins with "|" and ends at the
// first line that does not. Column 1 is the export name in backticks; column 2 is `type` for a
// type-only export (an interface or type alias, invisible at run time) and anything else
// (function, class, constant, plugin) for a value. A page may document several subpaths, each
// with its own marker; every subpath has exactly one.
//
// Limits: a table right after `<!-- limits -->` has the columns `| limit | value | constant |`;
// the first number in `value` (commas allowed) must equal the constant named in backticks.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, string | { types?: string; default?: string }>;
};

interface Row {
  cells: string[];
  line: number;
}

interface Page {
  file: string;
  text: string;
}

const PAGES: Page[] = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => ({ file: `docs/${name}`, text: readFileSync(join(ROOT, "docs", name), "utf8") }));

/** The subpaths of package.json `exports` that are modules, as import specifiers. */
function publicSubpaths(): { specifier: string; types: string }[] {
  return Object.entries(PACKAGE.exports)
    .filter(([subpath]) => subpath !== "./package.json")
    .map(([subpath, target]) => {
      assert.ok(typeof target === "object" && typeof target.types === "string", `exports["${subpath}"] has no types entry`);
      return { specifier: subpath === "." ? PACKAGE.name : `${PACKAGE.name}/${subpath.slice(2)}`, types: target.types };
    });
}

/** The table rows (separator and header dropped) starting at the first "|" line after `markerLine`. */
function tableAfter(lines: readonly string[], markerLine: number): Row[] {
  let index = markerLine + 1;
  while (index < lines.length && !(lines[index] ?? "").startsWith("|")) {
    if ((lines[index] ?? "").trim() !== "") return [];
    index++;
  }
  const rows: Row[] = [];
  for (; index < lines.length && (lines[index] ?? "").startsWith("|"); index++) {
    const line = lines[index] ?? "";
    // Split on pipes not escaped as \| (a union type in a cell).
    const cells = line
      .replace(/^\|/, "")
      .replace(/\|\s*$/, "")
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    rows.push({ cells, line: index + 1 });
  }
  // Header and separator.
  return rows.slice(2);
}

/** Markers `<!-- exports: SPECIFIER -->` on every page, with their tables. */
function exportTables(): Map<string, { file: string; rows: Row[] }[]> {
  const found = new Map<string, { file: string; rows: Row[] }[]>();
  for (const page of PAGES) {
    const lines = page.text.split("\n");
    lines.forEach((line, index) => {
      const marker = /^<!--\s*exports:\s*(\S+)\s*-->\s*$/.exec(line);
      if (marker === null) return;
      const specifier = marker[1] ?? "";
      found.set(specifier, [...(found.get(specifier) ?? []), { file: page.file, rows: tableAfter(lines, index) }]);
    });
  }
  return found;
}

function backticked(cell: string): string | null {
  return /^`([A-Za-z_$][\w$]*)`$/.exec(cell)?.[1] ?? null;
}

/** The entry .ts file that `tsc` compiled to this declaration file (dist/x/index.d.ts -> src/x/index.ts). */
function entrySource(types: string): string {
  const relative = types.replace(/^\.\/dist\//, "src/").replace(/\.d\.ts$/, ".ts");
  return join(ROOT, relative);
}

/**
 * Reads an entry file's `export { ... } from "..."` and `export type { ... } from "..."` lists:
 * value names and type-only names (`export type {}` or `type X` inside braces; `X as Y` names Y).
 * Entry files list their exports by name (no `export *`, no local declarations); anything else
 * fails here, so the parser is never silently wrong.
 */
function parseEntryExports(source: string): { values: Set<string>; types: Set<string> } {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const values = new Set<string>();
  const types = new Set<string>();
  const statement = /export\s+(type\s+)?\{([^}]*)\}\s*from\s*["'][^"']+["'];?/g;
  const rest = code.replace(statement, (_whole, typeOnly: string | undefined, list: string) => {
    for (const raw of list.split(",")) {
      const item = raw.trim();
      if (item === "") continue;
      const match = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(item);
      assert.ok(match, `cannot read the export item ${JSON.stringify(item)}`);
      const name = match[3] ?? match[2] ?? "";
      (typeOnly !== undefined || match[1] !== undefined ? types : values).add(name);
    }
    return "";
  });
  assert.equal(rest.replace(/import\s+[^;]+;/g, "").trim(), "", "the entry file has exports the parser does not read (export *, local declarations)");
  return { values, types };
}

async function runtimeExports(specifier: string): Promise<Record<string, unknown>> {
  return (await import(specifier)) as Record<string, unknown>;
}

void describe("docs: every public export is documented on its subpath's page", () => {
  const tables = exportTables();
  const subpaths = publicSubpaths();

  void it("has exactly one exports table per subpath, and none for anything else", () => {
    for (const { specifier } of subpaths) {
      const found = tables.get(specifier) ?? [];
      assert.equal(found.length, 1, `${specifier}: ${found.length} "<!-- exports: ${specifier} -->" tables (${found.map((t) => t.file).join(", ")})`);
      assert.ok((found[0]?.rows.length ?? 0) > 0, `${specifier}: the exports table in ${found[0]?.file} has no rows`);
    }
    const known = new Set(subpaths.map((subpath) => subpath.specifier));
    assert.deepEqual([...tables.keys()].filter((specifier) => !known.has(specifier)), [], "exports tables for subpaths package.json does not export");
  });

  for (const { specifier, types } of subpaths) {
    void it(`${specifier}: the table lists exactly its exports, values and types`, async () => {
      const table = tables.get(specifier)?.[0];
      assert.ok(table, `${specifier} has no exports table`);
      const documentedValues: string[] = [];
      const documentedTypes: string[] = [];
      for (const row of table.rows) {
        const name = backticked(row.cells[0] ?? "");
        assert.ok(name, `${table.file}:${row.line}: the first cell is not one name in backticks`);
        const kind = row.cells[1] ?? "";
        assert.ok(kind !== "", `${table.file}:${row.line}: no kind`);
        (kind === "type" ? documentedTypes : documentedValues).push(name);
      }
      const all = [...documentedValues, ...documentedTypes];
      assert.deepEqual(all.filter((name, index) => all.indexOf(name) !== index), [], `${table.file}: names listed twice`);

      const runtime = Object.keys(await runtimeExports(specifier)).sort();
      const parsed = parseEntryExports(readFileSync(entrySource(types), "utf8"));
      // The parser must agree with the built module on the values, or its type list is not to be trusted.
      assert.deepEqual([...parsed.values].sort(), runtime, `${specifier}: the entry file's value exports differ from the built module's (rebuild with npm run build?)`);

      assert.deepEqual([...documentedValues].sort(), runtime, `${table.file}: the value rows of ${specifier} differ from its run-time exports`);
      assert.deepEqual([...documentedTypes].sort(), [...parsed.types].sort(), `${table.file}: the type rows of ${specifier} differ from its type-only exports`);
    });

    void it(`${specifier}: every run-time export is named on its page in backticks`, async () => {
      const table = tables.get(specifier)?.[0];
      assert.ok(table);
      const text = PAGES.find((page) => page.file === table.file)?.text ?? "";
      const missing = Object.keys(await runtimeExports(specifier)).filter((name) => !text.includes(`\`${name}\``));
      assert.deepEqual(missing, [], `${table.file} does not name these exports of ${specifier}`);
    });
  }
});

/** Every .ts file under src/. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/**
 * A numeric constant's value: from the package's run-time exports when some subpath exports it,
 * else read from its `const NAME = <number expression>;` in src/ with a regex. Several limits
 * (BCRYPT_MAX_COST, SHA_CRYPT_MAX_ROUNDS, the unknown-kid reload interval, ...) are module
 * constants that no subpath exports, so the source is the only place to read them; the
 * definition may only be a number (`1_000_000`) or a product of numbers and other such constants
 * (`2 * 1024 * 1024`, `4 * ARGON2_MAX_MEMORY_KIB`).
 */
async function constantValue(name: string, modules: readonly Record<string, unknown>[]): Promise<number> {
  for (const module of modules) {
    const value = module[name];
    if (typeof value === "number") return value;
  }
  const definitions: string[] = [];
  for (const file of sourceFiles(join(ROOT, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(new RegExp(`^(?:export\\s+)?const\\s+${name}(?:\\s*:\\s*[^=]+)?\\s*=\\s*([^;]+);`, "gm"))) {
      definitions.push(match[1] ?? "");
    }
  }
  assert.equal(definitions.length, 1, `${name}: expected one definition in src/, found ${definitions.length}`);
  const expression = (definitions[0] ?? "").trim();
  const factor = "(?:[\\d_]+|[A-Z][A-Z0-9_]*)";
  assert.match(expression, new RegExp(`^${factor}(\\s*\\*\\s*${factor})*$`), `${name} = ${expression} is not a number or a product`);
  let product = 1;
  for (const part of expression.split("*").map((text) => text.trim())) {
    product *= /^[\d_]+$/.test(part) ? Number(part.replace(/_/g, "")) : await constantValue(part, modules);
  }
  return product;
}

void describe("docs: limits stated in the pages are the code's", () => {
  void it("every limits table row matches its constant", async () => {
    const modules = await Promise.all(publicSubpaths().map(({ specifier }) => runtimeExports(specifier)));
    let checked = 0;
    for (const page of PAGES) {
      const lines = page.text.split("\n");
      for (const [index, line] of lines.entries()) {
        if (!/^<!--\s*limits\s*-->\s*$/.test(line)) continue;
        const rows = tableAfter(lines, index);
        assert.ok(rows.length > 0, `${page.file}:${index + 1}: a limits marker without a table`);
        for (const row of rows) {
          const constant = backticked(row.cells[2] ?? "");
          assert.ok(constant, `${page.file}:${row.line}: the third cell is not a constant name in backticks`);
          const stated = /\d[\d,]*(?:\.\d+)?/.exec(row.cells[1] ?? "")?.[0];
          assert.ok(stated, `${page.file}:${row.line}: no number in the value cell`);
          assert.equal(Number(stated.replace(/,/g, "")), await constantValue(constant, modules), `${page.file}:${row.line}: ${constant}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} limits checked: are the limits tables still there?`);
  });
});
