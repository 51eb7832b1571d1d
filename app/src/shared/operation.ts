/**
 * GraphQL operations as values. This module depends on nothing else in the app, so that the
 * build (vite.config.mts) can read the documents too.
 */
/** A named GraphQL operation and the shape of its `data`; its name keys the query cache. */
export interface Operation<
  TData,
  TVariables extends Record<string, unknown> = Record<string, never>,
> {
  name: string;
  document: string;
  /** Phantom fields that carry the types. */
  readonly _data?: TData;
  readonly _variables?: TVariables;
}

/** Declares an operation; the name is read from the document so the two never disagree. */
export function operation<
  TData,
  TVariables extends Record<string, unknown> = Record<string, never>,
>(document: string): Operation<TData, TVariables> {
  const match = /^\s*(?:query|subscription)\s+(\w+)/.exec(document);
  if (!match)
    throw new Error(`a GraphQL document needs a named operation: ${document.slice(0, 40)}`);
  return { name: match[1], document };
}
