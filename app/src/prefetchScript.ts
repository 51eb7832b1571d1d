import { CoinPageQuery } from "./coin/queries";
import { EverythingFeed } from "./feed/queries";

/**
 * The inline script the build writes into index.html: it starts the current page's main query
 * (the feed, or a coin page) as soon as the HTML is parsed, while the app's JavaScript is still
 * downloading, so that data and code arrive together. `request` in shared/graphql.ts takes the
 * reply when the app asks for the same operation and variables.
 */
export function prefetchScript(): string {
  const documents = {
    feed: { name: EverythingFeed.name, query: EverythingFeed.document },
    coin: { name: CoinPageQuery.name, query: CoinPageQuery.document },
  };
  return `(function () {
  var c = window.__AGORA_CONFIG__, d = ${JSON.stringify(documents)};
  if (!c) return;
  var p = (location.hash.slice(1) || "/").split("?")[0].split("/").filter(Boolean), q, v;
  if (p.length === 0) { q = d.feed; v = { after: null }; }
  else if (p[0] === "coin" && p[1]) { q = d.coin; v = { address: decodeURIComponent(p[1]).toLowerCase() }; }
  if (!q) return;
  window.__AGORA_PREFETCH__ = {
    key: q.name + " " + JSON.stringify(v),
    reply: fetch(c.apiUrl, {
      method: "POST",
      credentials: "omit",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: q.query, variables: v, operationName: q.name })
    }).then(function (r) { return r.json(); })
  };
})();`;
}
