import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { GraphiQLOptions } from "graphql-yoga";

const pages = new Map<string, string>();

/**
 * GraphiQL with every asset inside the page (its script, styles, editor workers and icon, from
 * the @graphql-yoga/render-graphiql package), so it works without internet: graphql-yoga's own
 * page loads them from unpkg.com. The page is about 9 MB; it is built once per set of options.
 */
export function renderOfflineGraphiQL(options: GraphiQLOptions): string {
  const key = JSON.stringify(options ?? {});
  let page = pages.get(key);
  if (page === undefined) {
    page = renderGraphiQL(options);
    pages.set(key, page);
  }
  return page;
}
