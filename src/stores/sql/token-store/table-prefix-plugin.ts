import {
  IdentifierNode,
  OperationNodeTransformer,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from "kysely";

class TablePrefixTransformer extends OperationNodeTransformer {
  constructor(private readonly physicalNames: ReadonlyMap<string, string>) {
    super();
  }

  // Every table reference, wherever it sits (FROM, JOIN, INTO, column references, REFERENCES,
  // CREATE/DROP TABLE and INDEX ... ON), is a TableNode; aliases and column names are not, so
  // `refresh_tokens as r` and `r.user_id` come out right. The schema, if any, is kept.
  protected override transformTable(node: TableNode, queryId?: QueryId): TableNode {
    const transformed = super.transformTable(node, queryId);
    const physical = this.physicalNames.get(transformed.table.identifier.name);
    if (physical === undefined) return transformed;
    return { ...transformed, table: { ...transformed.table, identifier: IdentifierNode.create(physical) } };
  }
}

/**
 * Renames the given logical tables to `${prefix}${name}` in every query, so the store's code is
 * written once with logical names. Other tables (the app's, the migration tables) pass unchanged.
 * Index and constraint names are not tables: migrations spell them with the prefix themselves.
 *
 * @example
 * const db = base.withPlugin(new TablePrefixPlugin("tessera_", ["sessions"]));
 * db.selectFrom("sessions"); // select from "tessera_sessions"
 */
export class TablePrefixPlugin implements KyselyPlugin {
  readonly #transformer: TablePrefixTransformer;

  constructor(prefix: string, tables: readonly string[]) {
    this.#transformer = new TablePrefixTransformer(new Map(tables.map((table) => [table, `${prefix}${table}`])));
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/**
 * The same connection (or transaction) without {@link TablePrefixPlugin}, keeping every other
 * plugin (a schema plugin, say). For the few queries that must name physical tables: the
 * 0.1.0 tables `sessions`, `secrets`... that share a logical name with the store's.
 *
 * @example
 * const plain = withoutTablePrefix(store.db); // plain.selectFrom("sessions") reads "sessions"
 */
// Kysely<any>: the caller decides which tables it sees through the result.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withoutTablePrefix(db: Kysely<any>): Kysely<any> {
  const kept = db.getExecutor().plugins.filter((plugin) => !(plugin instanceof TablePrefixPlugin));
  return kept.reduce((plain, plugin) => plain.withPlugin(plugin), db.withoutPlugins());
}
