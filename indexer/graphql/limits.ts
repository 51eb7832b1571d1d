import {
  GraphQLError,
  parse,
  validate,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
  type ParseOptions,
  type Source,
  getNamedType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  ValidationContext,
  type ValidationRule,
  TypeInfo,
  type GraphQLSchema,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { ListSize } from "./context";
import { ErrorCode } from "./errors";

export interface QueryLimits {
  /** Deepest nesting of data fields (a top-level field is depth 1). */
  maxDepth: number;
  /** Deepest nesting inside introspection (`__schema`, `__type`); GraphiQL's own query needs 13. */
  maxIntrospectionDepth: number;
  /** Most aliased fields in one operation, fragments included. */
  maxAliases: number;
  /** Most items a query may resolve, estimated from `first` (see `costLimitRule`). */
  maxCost: number;
  /** `first` above this is an error anyway; the estimate caps it here. */
  maxPageSize: number;
  defaultPageSize: number;
  /** Cost of each condition, listed value and nested filter of a `where` argument. */
  filterWeight: number;
  /** Most tokens (names, punctuation, values) one document may hold. */
  maxTokens: number;
  /** Most fragment spreads and inline fragments in one selection set. */
  maxFragmentsPerSelection: number;
  /** Deepest nesting of the request's variables (objects and lists). */
  maxVariableDepth: number;
}

function limitError(
  code: ErrorCode,
  message: string,
  operation: OperationDefinitionNode,
): GraphQLError {
  return new GraphQLError(message, { nodes: [operation], extensions: { code } });
}

function operationName(operation: OperationDefinitionNode): string {
  return operation.name ? `operation ${operation.name.value}` : "the operation";
}

/**
 * The fragments of one document, each folded once: `fold(name, key, compute)` computes a
 * fragment's value the first time `name` and `key` are asked for and remembers it, so a rule
 * visits every selection of the document a bounded number of times, however often fragments
 * spread each other (a fragment spreading the next one twice, 22 levels deep, would otherwise be
 * walked 2^22 times). A fragment already being folded (a cycle, which graphql-js reports
 * anyway) counts as `empty`.
 */
function fragmentFolder<T>(context: ValidationContext, empty: T) {
  const memo = new Map<string, T>();
  const folding = new Set<string>();
  return (name: string, key: string, compute: (fragment: FragmentDefinitionNode) => T): T => {
    const id = `${name}\u0000${key}`;
    const known = memo.get(id);
    if (known !== undefined) return known;
    const fragment: FragmentDefinitionNode | undefined | null = context.getFragment(name);
    if (!fragment || folding.has(id)) return empty;
    folding.add(id);
    const value = compute(fragment);
    folding.delete(id);
    memo.set(id, value);
    return value;
  };
}

interface Depth {
  data: number;
  introspection: number;
}

/** Refuses operations nested deeper than `maxDepth` (or `maxIntrospectionDepth` for introspection). */
export function depthLimitRule(
  limits: Pick<QueryLimits, "maxDepth" | "maxIntrospectionDepth">,
): ValidationRule {
  return (context): ASTVisitor => {
    const none: Depth = { data: 0, introspection: 0 };
    const fold = fragmentFolder(context, none);
    const depthOf = (selectionSet: SelectionSetNode, introspection: boolean): Depth => {
      let data = 0;
      let inner = 0;
      const merge = (depth: Depth) => {
        data = Math.max(data, depth.data);
        inner = Math.max(inner, depth.introspection);
      };
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const isIntrospection = introspection || selection.name.value.startsWith("__");
          const below = selection.selectionSet
            ? depthOf(selection.selectionSet, isIntrospection)
            : none;
          if (isIntrospection) inner = Math.max(inner, 1 + below.introspection);
          else merge({ data: 1 + below.data, introspection: below.introspection });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          merge(depthOf(selection.selectionSet, introspection));
        } else {
          merge(
            fold(selection.name.value, String(introspection), (fragment) =>
              depthOf(fragment.selectionSet, introspection),
            ),
          );
        }
      }
      return { data, introspection: inner };
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, false);
        if (depth.data > limits.maxDepth) {
          context.reportError(
            limitError(
              ErrorCode.QueryTooDeep,
              `${operationName(operation)} nests fields ${depth.data} deep; at most ${limits.maxDepth} levels are allowed`,
              operation,
            ),
          );
        }
        if (depth.introspection > limits.maxIntrospectionDepth) {
          context.reportError(
            limitError(
              ErrorCode.QueryTooDeep,
              `${operationName(operation)} nests introspection fields ${depth.introspection} deep; at most ${limits.maxIntrospectionDepth} levels are allowed`,
              operation,
            ),
          );
        }
      },
    };
  };
}

/** Refuses operations with more than `maxAliases` aliased fields, counting each fragment use. */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context): ASTVisitor => {
    const fold = fragmentFolder(context, 0);
    const aliasesIn = (selectionSet: SelectionSetNode): number => {
      let aliases = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) aliases++;
          if (selection.selectionSet) aliases += aliasesIn(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          aliases += aliasesIn(selection.selectionSet);
        } else {
          aliases += fold(selection.name.value, "", (fragment) => aliasesIn(fragment.selectionSet));
        }
      }
      return aliases;
    };
    return {
      OperationDefinition(operation) {
        const aliases = aliasesIn(operation.selectionSet);
        if (aliases > maxAliases) {
          context.reportError(
            limitError(
              ErrorCode.TooManyAliases,
              `${operationName(operation)} uses ${aliases} aliases; at most ${maxAliases} are allowed`,
              operation,
            ),
          );
        }
      },
    };
  };
}

/**
 * What a filter costs: one per condition, per value of an `_in`/`_not_in` list and per nested
 * `AND`/`OR` filter, whether written in the query or passed as a variable. Postgres compares
 * every row it reads against every value, so a filter of a thousand values costs a thousand.
 */
function filterTerms(node: ValueNode, variableTerms: (name: string) => number): number {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variableTerms(node.name.value);
    case Kind.OBJECT:
      return node.fields.reduce(
        (sum, field) => sum + 1 + filterTerms(field.value, variableTerms),
        0,
      );
    case Kind.LIST:
      return node.values.reduce((sum, value) => sum + 1 + filterTerms(value, variableTerms), 0);
    default:
      return 0;
  }
}

function valueTerms(value: unknown): number {
  let terms = 0;
  if (Array.isArray(value)) {
    for (const item of value) terms += 1 + valueTerms(item);
  } else if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) terms += 1 + valueTerms(item);
  }
  return terms;
}

/**
 * Refuses operations whose estimated cost exceeds `maxCost`. Each field costs 1, and its
 * `where` filter `filterWeight` per term (see filterTerms); the fields under a field that takes
 * `first` (a connection) cost `first` times over, since they are resolved for every item of the
 * page. `first` comes from the literal, the variable, or the argument's default, capped at
 * `maxPageSize`. A list field without `first` named in `listSizes` (`Coin.candles`) counts the
 * fields under it as often as its arguments say it may return items.
 */
export function costLimitRule(
  limits: Pick<QueryLimits, "maxCost" | "maxPageSize" | "defaultPageSize" | "filterWeight">,
  variables: Record<string, unknown> | undefined,
  listSizes: Record<string, ListSize> = {},
): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const vars: Record<string, unknown> = { ...variables };
      for (const definition of operation.variableDefinitions ?? []) {
        const name = definition.variable.name.value;
        if (vars[name] === undefined && definition.defaultValue?.kind === Kind.INT) {
          vars[name] = Number(definition.defaultValue.value);
        }
      }
      const root =
        operation.operation === "query"
          ? schema.getQueryType()
          : operation.operation === "mutation"
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      // Per operation: the variables' defaults are the operation's own.
      const fold = fragmentFolder(context, 0);
      // A list variable used in many filters (30 aliases, each twice) is counted once.
      const termsOf = new Map<string, number>();
      const variableTerms = (name: string) => {
        let terms = termsOf.get(name);
        if (terms === undefined) {
          terms = valueTerms(vars[name]);
          termsOf.set(name, terms);
        }
        return terms;
      };

      const costOf = (
        selectionSet: SelectionSetNode,
        parent: GraphQLNamedType | null | undefined,
      ): number => {
        let total = 0;
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.INLINE_FRAGMENT) {
            total += costOf(selection.selectionSet, parent);
            continue;
          }
          if (selection.kind === Kind.FRAGMENT_SPREAD) {
            total += fold(selection.name.value, parent?.name ?? "", (fragment) =>
              costOf(fragment.selectionSet, parent),
            );
            continue;
          }
          const field = selection;
          const definition =
            parent && isObjectType(parent) ? parent.getFields()[field.name.value] : undefined;
          let multiplier = 1;
          const firstArg = definition?.args.find((arg) => arg.name === "first");
          if (firstArg) {
            const node = field.arguments?.find((arg) => arg.name.value === "first");
            let first: unknown = firstArg.defaultValue ?? limits.defaultPageSize;
            if (node?.value.kind === Kind.INT) first = Number(node.value.value);
            else if (node?.value.kind === Kind.VARIABLE)
              first = vars[node.value.name.value] ?? first;
            multiplier =
              typeof first === "number" && first >= 0 ? Math.min(first, limits.maxPageSize) : 1;
          }
          const listSize = parent && listSizes[`${parent.name}.${field.name.value}`];
          if (listSize) {
            const args: Record<string, unknown> = {};
            for (const arg of field.arguments ?? []) {
              args[arg.name.value] = valueFromASTUntyped(arg.value, vars);
            }
            multiplier = listSize(args);
          }
          const where = field.arguments?.find((arg) => arg.name.value === "where");
          const filter = where ? limits.filterWeight * filterTerms(where.value, variableTerms) : 0;
          const below = field.selectionSet
            ? costOf(field.selectionSet, definition ? getNamedType(definition.type) : undefined)
            : 0;
          total += 1 + filter + multiplier * below;
        }
        return total;
      };
      const cost = costOf(operation.selectionSet, root);
      if (cost > limits.maxCost) {
        context.reportError(
          limitError(
            ErrorCode.QueryTooCostly,
            `${operationName(operation)} may resolve about ${cost} fields; at most ${limits.maxCost} are allowed (filters count ${limits.filterWeight} per condition and per listed value): ask for smaller pages (first), fewer nested fields or shorter filters`,
            operation,
          ),
        );
      }
    },
  });
}

/** A validation error as the client gets it: with `GRAPHQL_VALIDATION_FAILED` unless it has a code. */
function withCode(error: GraphQLError): GraphQLError {
  if (typeof error.extensions?.code === "string") return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: ErrorCode.ValidationFailed },
  });
}

/**
 * Refuses selection sets with more than `max` fragment spreads and inline fragments: graphql-js
 * compares the fields of every pair of them (OverlappingFieldsCanBeMerged), work that grows
 * with the square of their number.
 */
export function fragmentsPerSelectionRule(max: number): ValidationRule {
  return (context): ASTVisitor => ({
    SelectionSet(node) {
      const fragments = node.selections.filter((selection) => selection.kind !== Kind.FIELD).length;
      if (fragments > max) {
        context.reportError(
          new GraphQLError(
            `a selection set spreads ${fragments} fragments; at most ${max} are allowed in one`,
            { nodes: [node], extensions: { code: ErrorCode.TooManyFragments } },
          ),
        );
      }
    },
  });
}

/** Refuses string literals holding NUL, which no text column can hold or match. */
export function noNulStringsRule(): ValidationRule {
  return (context): ASTVisitor => ({
    StringValue(node) {
      if (node.value.includes("\u0000")) {
        context.reportError(
          new GraphQLError(
            `the string argument ${JSON.stringify(node.value.slice(0, 64))} holds a NUL character (U+0000), which no argument may hold`,
            { nodes: [node], extensions: { code: ErrorCode.BadUserInput } },
          ),
        );
      }
    },
  });
}

/**
 * What is wrong with a request's variables, if anything: nested deeper than `maxDepth`
 * (filters need about a dozen levels; a deeper value would only exhaust the stack of the
 * coercion that follows), or a string holding NUL. Walks without recursion.
 */
export function variablesProblem(variables: unknown, maxDepth: number): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: variables, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) {
        return `the variable value ${JSON.stringify(value.slice(0, 64))} holds a NUL character (U+0000), which no argument may hold`;
      }
    } else if (typeof value === "object" && value !== null) {
      if (depth >= maxDepth) return `variables nest more than ${maxDepth} levels deep`;
      for (const item of Array.isArray(value) ? value : Object.values(value)) {
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
  return null;
}

/** Parses with at most `maxTokens` tokens; a refused or malformed document gets a code. */
export function parseWithLimit(maxTokens: number) {
  return (source: string | Source, options?: ParseOptions): DocumentNode => {
    try {
      return parse(source, { ...options, maxTokens });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const tooLarge = error.message.includes("tokens");
      throw new GraphQLError(
        tooLarge
          ? `the document holds more than ${maxTokens} tokens; send a smaller query`
          : error.message,
        {
          source: error.source,
          positions: error.positions,
          extensions: {
            code: tooLarge ? ErrorCode.QueryTooLarge : ErrorCode.ParseFailed,
            http: { status: 400 },
          },
        },
      );
    }
  };
}

/** Most sets of cost variables remembered per document as within the cost, and their longest key. */
const MAX_COSTED_VARIABLE_SETS = 64;
const MAX_COST_KEY_LENGTH = 1_024;

/** Per document, the variables the cost rule may read (see costVariablesKey). */
const costVariableNames = new WeakMap<DocumentNode, string[]>();

/**
 * The values of the variables the cost rule may read, as a key: those used anywhere inside a
 * `first` or `where` argument, or any argument of a field named like one of `listFields` (the
 * field names of listSizes, whatever their type). Null when a value cannot be keyed.
 */
function costVariablesKey(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  listFields: readonly string[],
): string | null {
  let names = costVariableNames.get(document);
  if (!names) {
    const found = new Set<string>();
    const listNames = new Set(listFields.map((field) => field.slice(field.indexOf(".") + 1)));
    const collect = (value: ValueNode) => {
      visit(value, { Variable: (node) => void found.add(node.name.value) });
    };
    visit(document, {
      Field(field) {
        for (const arg of field.arguments ?? []) {
          if (
            arg.name.value === "first" ||
            arg.name.value === "where" ||
            listNames.has(field.name.value)
          ) {
            collect(arg.value);
          }
        }
      },
    });
    names = [...found].sort();
    costVariableNames.set(document, names);
  }
  try {
    return JSON.stringify(names.map((name) => variables?.[name] ?? null));
  } catch {
    return null;
  }
}

/**
 * The errors of a rule that reads each operation from its OperationDefinition hook alone (the
 * cost rule), calling that hook for each operation: validate() would also visit every node of
 * the document with type information, which took about a quarter of the time of a request
 * refused for the cost of its filters.
 */
function operationRuleErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  rule: ValidationRule,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const context = new ValidationContext(schema, document, new TypeInfo(schema), (error) =>
    errors.push(error),
  );
  const enter = (rule(context) as { OperationDefinition?: unknown }).OperationDefinition;
  if (typeof enter !== "function") throw new Error("the rule has no OperationDefinition hook");
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      (enter as (node: OperationDefinitionNode) => void)(definition);
    }
  }
  return errors;
}

/**
 * The per-document limits: at most `maxTokens` tokens (so parsing and every validation rule,
 * each linear in the document, stay bounded), variables at most `maxVariableDepth` deep, no NUL
 * in any string argument, at most `maxFragmentsPerSelection` fragments in a selection set, and
 * the depth, alias and cost rules, all checked before graphql-js' own validation.
 */
export function useQueryLimits(
  limits: QueryLimits,
  listSizes: Record<string, ListSize> = {},
): Plugin {
  const parseFn = parseWithLimit(limits.maxTokens);
  const documentRules = [
    fragmentsPerSelectionRule(limits.maxFragmentsPerSelection),
    depthLimitRule(limits),
    aliasLimitRule(limits.maxAliases),
    noNulStringsRule(),
  ];
  /** What the document alone decides: errors of the limits, else of graphql-js' rules. */
  const checkedDocuments = new WeakMap<
    DocumentNode,
    { refused: readonly GraphQLError[]; invalid: readonly GraphQLError[] }
  >();
  /** Per document, the keys (costVariablesKey) of variable values found within the cost. */
  const acceptedCosts = new WeakMap<DocumentNode, Set<string>>();
  return {
    onParams({ params, setResult }) {
      const problem = variablesProblem(params.variables, limits.maxVariableDepth);
      if (problem) {
        setResult({
          errors: [
            new GraphQLError(problem, {
              extensions: { code: ErrorCode.BadUserInput, http: { status: 400 } },
            }),
          ],
        });
      }
    },
    onParse({ setParseFn }) {
      setParseFn(parseFn);
    },
    onValidate({ context, validateFn, setValidationFn }) {
      const variables = (context as { params?: { variables?: Record<string, unknown> } }).params
        ?.variables;
      const cost = costLimitRule(limits, variables ?? undefined, listSizes);
      // The limits, each linear in the document, run first and alone: graphql-js' own rules
      // (OverlappingFieldsCanBeMerged above all) only see documents within them. Only the cost
      // reads the request's variables: what the document alone decides is checked once per
      // parsed document (the parser's cache hands the same one to every request of a query
      // text) and remembered with it.
      setValidationFn((schema, document, rules, typeInfo, options) => {
        let checked = checkedDocuments.get(document);
        if (!checked) {
          const refused = validate(schema, document, documentRules, options);
          checked = {
            refused,
            invalid:
              refused.length > 0 ? [] : validateFn(schema, document, rules, typeInfo, options),
          };
          checkedDocuments.set(document, checked);
        }
        // Refused by a limit: every limit's errors together, the cost's included.
        if (checked.refused.length > 0) {
          return validate(schema, document, [...documentRules, cost], options).map(withCode);
        }
        // The cost reads only the variables its arguments name: with the same values of those,
        // a document within the cost stays within it (a coin page for each coin is costed once).
        const costKey = costVariablesKey(document, variables, Object.keys(listSizes));
        let withinCost = acceptedCosts.get(document);
        if (costKey !== null && withinCost?.has(costKey)) return checked.invalid.map(withCode);
        const tooCostly = operationRuleErrors(schema, document, cost);
        if (tooCostly.length === 0 && costKey !== null) {
          if (!withinCost) acceptedCosts.set(document, (withinCost = new Set()));
          if (withinCost.size < MAX_COSTED_VARIABLE_SETS && costKey.length <= MAX_COST_KEY_LENGTH) {
            withinCost.add(costKey);
          }
        }
        return (tooCostly.length > 0 ? tooCostly : checked.invalid).map(withCode);
      });
    },
  };
}
