/**
 * Every query of a school's code sees that school's rows only (issue 25, docs/district.md). Not by remembering a
 * `where school_id = …` in each of the hundred queries of the read model, the pages, the digest and the exports —
 * one forgotten would show a school another's reports — but in one place: a Kysely plugin that rewrites each
 * query built through a school's `Database` before it reaches the driver.
 *
 * - select / update / delete: each school table in FROM (and the table updated) gets `school_id = <school>` in
 *   WHERE; a joined school table gets it in its ON (so a LEFT JOIN stays a left join); subqueries alike.
 * - insert: the `school_id` column and value are added to every row; `ON CONFLICT (cols)` becomes
 *   `ON CONFLICT (school_id, cols)`, the keys of migration 0009.
 * - what cannot be kept to one school is refused, not passed: MERGE into a school table, an UPDATE of several tables.
 * Raw SQL fragments (`sql\`…\``) inside a built query are kept apart in parentheses; a whole raw query is not
 * rewritten (write queries with the builder; the district's own figures use `database.root`).
 *
 *   const school = scopeDatabase(district, 'qinghe-yizhong');   // a Database like any other
 *   new ReadModel(school)                                        // sees qinghe-yizhong's rows only
 */
import {
  AliasNode,
  AndNode,
  ParensNode,
  BinaryOperationNode,
  ColumnNode,
  IdentifierNode,
  ListNode,
  OnNode,
  OperationNodeTransformer,
  OperatorNode,
  PrimitiveValueListNode,
  ReferenceNode,
  TableNode,
  ValueListNode,
  ValueNode,
  ValuesNode,
  WhereNode,
  type DeleteQueryNode,
  type MergeQueryNode,
  type InsertQueryNode,
  type JoinNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SelectQueryNode,
  type UnknownRow,
  type UpdateQueryNode,
} from 'kysely';
import { SCHOOL_TABLES } from './migrations/0009-school-id.js';

const SCHOOL_COLUMN = 'school_id';
const TENANT_TABLES = new Set(Object.keys(SCHOOL_TABLES));

/** The school table a FROM / JOIN / UPDATE item names, and the name to qualify its columns with (its alias). */
function schoolTable(node: OperationNode): { ref: string } | null {
  if (TableNode.is(node)) {
    const name = node.table.identifier.name;
    return TENANT_TABLES.has(name) ? { ref: name } : null;
  }
  if (ListNode.is(node) && node.items.some((i) => schoolTable(i))) throw new Error('An update of several tables cannot be kept to one school: update them one by one');
  if (AliasNode.is(node) && TableNode.is(node.node) && IdentifierNode.is(node.alias)) {
    return TENANT_TABLES.has(node.node.table.identifier.name) ? { ref: node.alias.name } : null;
  }
  return null;
}

class SchoolTransformer extends OperationNodeTransformer {
  readonly #school: string;

  constructor(school: string) {
    super();
    this.#school = school;
  }

  #isSchool(ref: string): OperationNode {
    return BinaryOperationNode.create(ReferenceNode.create(ColumnNode.create(SCHOOL_COLUMN), TableNode.create(ref)), OperatorNode.create('='), ValueNode.create(this.#school));
  }

  /** `(<what was there>) and school_id = …`: the parentheses keep a raw `a or b` from swallowing the school. */
  #and(existing: OperationNode | undefined, ref: string): OperationNode {
    return existing ? AndNode.create(ParensNode.create(existing), this.#isSchool(ref)) : this.#isSchool(ref);
  }

  #where(where: WhereNode | undefined, items: readonly OperationNode[]): WhereNode | undefined {
    let out = where?.where;
    for (const item of items) {
      const t = schoolTable(item);
      if (t) out = this.#and(out, t.ref);
    }
    return out === where?.where ? where : WhereNode.create(out!);
  }

  protected override transformMergeQuery(node: MergeQueryNode, queryId?: Parameters<OperationNodeTransformer['transformMergeQuery']>[1]): MergeQueryNode {
    if (schoolTable(node.into)) throw new Error('MERGE into a school table cannot be kept to one school: write it as insert … on conflict');
    return super.transformMergeQuery(node, queryId);
  }

  protected override transformSelectQuery(node: SelectQueryNode, queryId?: Parameters<OperationNodeTransformer['transformSelectQuery']>[1]): SelectQueryNode {
    const out = super.transformSelectQuery(node, queryId);
    const where = this.#where(out.where, out.from?.froms ?? []);
    return where === out.where ? out : Object.freeze({ ...out, where });
  }

  protected override transformJoin(node: JoinNode, queryId?: Parameters<OperationNodeTransformer['transformJoin']>[1]): JoinNode {
    const out = super.transformJoin(node, queryId);
    const t = schoolTable(out.table);
    if (!t) return out;
    return Object.freeze({ ...out, on: OnNode.create(this.#and(out.on?.on, t.ref)) });
  }

  protected override transformUpdateQuery(node: UpdateQueryNode, queryId?: Parameters<OperationNodeTransformer['transformUpdateQuery']>[1]): UpdateQueryNode {
    const out = super.transformUpdateQuery(node, queryId);
    const where = this.#where(out.where, [...(out.table ? [out.table] : []), ...(out.from?.froms ?? [])]);
    return where === out.where ? out : Object.freeze({ ...out, where });
  }

  protected override transformDeleteQuery(node: DeleteQueryNode, queryId?: Parameters<OperationNodeTransformer['transformDeleteQuery']>[1]): DeleteQueryNode {
    const out = super.transformDeleteQuery(node, queryId);
    const where = this.#where(out.where, [...out.from.froms, ...(out.using?.tables ?? [])]);
    return where === out.where ? out : Object.freeze({ ...out, where });
  }

  protected override transformInsertQuery(node: InsertQueryNode, queryId?: Parameters<OperationNodeTransformer['transformInsertQuery']>[1]): InsertQueryNode {
    const out = super.transformInsertQuery(node, queryId);
    if (!out.into || !schoolTable(out.into)) return out;
    if (out.columns?.some((c) => c.column.name === SCHOOL_COLUMN)) throw new Error(`school_id is set by the school's scope, not by a query (insert into ${out.into.table.identifier.name})`);
    if (!out.columns || !out.values || !ValuesNode.is(out.values)) throw new Error(`An insert into ${out.into.table.identifier.name} must list its columns and values to be given its school`);
    const values = ValuesNode.create(
      out.values.values.map((row) => (PrimitiveValueListNode.is(row) ? PrimitiveValueListNode.create([...row.values, this.#school]) : ValueListNode.create([...row.values, ValueNode.create(this.#school)]))),
    );
    const onConflict = out.onConflict?.columns ? Object.freeze({ ...out.onConflict, columns: [ColumnNode.create(SCHOOL_COLUMN), ...out.onConflict.columns] }) : out.onConflict;
    return Object.freeze({ ...out, columns: [...out.columns, ColumnNode.create(SCHOOL_COLUMN)], values, ...(onConflict ? { onConflict } : {}) });
  }
}

/** The Kysely plugin that keeps a query to one school's rows. */
export class SchoolScope implements KyselyPlugin {
  readonly school: string;
  readonly #transformer: SchoolTransformer;

  constructor(school: string) {
    this.school = school;
    this.#transformer = new SchoolTransformer(school);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
