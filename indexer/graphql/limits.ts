import {
  GraphQLError,
  getNamedType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
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

/** Walks a selection set with fragments inlined; a fragment already on the path is not re-entered. */
function forEachField(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  visit: (field: FieldNode) => void,
  path: Set<string> = new Set(),
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) visit(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      forEachField(context, selection.selectionSet, visit, path);
    else {
      const name = selection.name.value;
      const fragment: FragmentDefinitionNode | undefined | null = context.getFragment(name);
      if (!fragment || path.has(name)) continue;
      forEachField(context, fragment.selectionSet, visit, new Set([...path, name]));
    }
  }
}

function depthOf(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  introspection: boolean,
): {
  data: number;
  introspection: number;
} {
  let data = 0;
  let inner = 0;
  forEachField(context, selectionSet, (field) => {
    const isIntrospection = introspection || field.name.value.startsWith("__");
    const below = field.selectionSet
      ? depthOf(context, field.selectionSet, isIntrospection)
      : { data: 0, introspection: 0 };
    if (isIntrospection) inner = Math.max(inner, 1 + below.introspection);
    else {
      data = Math.max(data, 1 + below.data);
      inner = Math.max(inner, below.introspection);
    }
  });
  return { data, introspection: inner };
}

/** Refuses operations nested deeper than `maxDepth` (or `maxIntrospectionDepth` for introspection). */
export function depthLimitRule(
  limits: Pick<QueryLimits, "maxDepth" | "maxIntrospectionDepth">,
): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = depthOf(context, operation.selectionSet, false);
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
  });
}

/** Refuses operations with more than `maxAliases` aliased fields, counting each fragment use. */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      let aliases = 0;
      const count = (selectionSet: SelectionSetNode) =>
        forEachField(context, selectionSet, (field) => {
          if (field.alias) aliases++;
          if (field.selectionSet) count(field.selectionSet);
        });
      count(operation.selectionSet);
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
  });
}

/**
 * Refuses operations whose estimated cost exceeds `maxCost`. Each field costs 1; the fields
 * under a field that takes `first` (a connection) cost `first` times over, since they are
 * resolved for every item of the page. `first` comes from the literal, the variable, or the
 * argument's default, capped at `maxPageSize`.
 */
export function costLimitRule(
  limits: Pick<QueryLimits, "maxCost" | "maxPageSize" | "defaultPageSize">,
  variables: Record<string, unknown> | undefined,
): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const vars: Record<string, unknown> = {};
      for (const definition of operation.variableDefinitions ?? []) {
        const name = definition.variable.name.value;
        const given = variables?.[name];
        const fallback =
          definition.defaultValue?.kind === Kind.INT
            ? Number(definition.defaultValue.value)
            : undefined;
        vars[name] = given ?? fallback;
      }
      const root =
        operation.operation === "query"
          ? schema.getQueryType()
          : operation.operation === "mutation"
            ? schema.getMutationType()
            : schema.getSubscriptionType();

      const costOf = (
        selectionSet: SelectionSetNode,
        parent: GraphQLNamedType | null | undefined,
      ): number => {
        let total = 0;
        forEachField(context, selectionSet, (field) => {
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
          const below = field.selectionSet
            ? costOf(field.selectionSet, definition ? getNamedType(definition.type) : undefined)
            : 0;
          total += 1 + multiplier * below;
        });
        return total;
      };
      const cost = costOf(operation.selectionSet, root);
      if (cost > limits.maxCost) {
        context.reportError(
          limitError(
            ErrorCode.QueryTooCostly,
            `${operationName(operation)} may resolve about ${cost} fields; at most ${limits.maxCost} are allowed: ask for smaller pages (first) or fewer nested fields`,
            operation,
          ),
        );
      }
    },
  });
}

/** Adds the depth, alias and cost rules to the validation of every operation. */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onValidate({ addValidationRule, context }) {
      const variables = (context as { params?: { variables?: Record<string, unknown> } }).params
        ?.variables;
      addValidationRule(depthLimitRule(limits));
      addValidationRule(aliasLimitRule(limits.maxAliases));
      addValidationRule(costLimitRule(limits, variables ?? undefined));
    },
  };
}
