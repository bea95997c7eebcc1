import { inMigrationTransaction } from "../../../stores/sql/migration-transaction.js";
import { readTableColumns } from "../../../stores/sql/table-catalog.js";
import { hasCopiedLegacyRows, hasLegacyLayout, LEGACY_TOKEN_TABLES } from "../../../stores/sql/token-store/legacy-layout.js";
import { withoutTablePrefix } from "../../../stores/sql/token-store/table-prefix-plugin.js";
import type { ServerMigration } from "./server-migration.js";

/**
 * Drops Tessera 0.1.0's token tables, whose rows now live in the token store's
 * `tessera_*` tables. It refuses to run before the token store's `migrate()` has copied them
 * (that is the order: token store first, then this), and it drops only in a database that has
 * the 0.1.0 layout, so a `sessions` table that is not 0.1.0's is never touched.
 */
export const tokenTablesMovedMigration: ServerMigration = {
  name: "0002_token_tables_moved",
  async up(db, { dialect, schema }) {
    // Physical names only: `sessions` here is 0.1.0's table, never the token store's.
    const plain = withoutTablePrefix(db);
    await inMigrationTransaction(plain, async (trx) => {
      if (!(await hasLegacyLayout(trx, dialect.name, schema))) return;
      if (!(await hasCopiedLegacyRows(trx, dialect.name, schema))) {
        throw new Error(
          "this database still holds Tessera 0.1.0's token tables and the token store has not copied them: " +
            "run openTokenStore(...).migrate() with the default prefix before the server store's migrate()",
        );
      }
      const present = await readTableColumns(trx, dialect.name, schema, LEGACY_TOKEN_TABLES);
      for (const table of LEGACY_TOKEN_TABLES) {
        if (present.has(table)) await trx.schema.dropTable(table).execute();
      }
    });
  },
};
