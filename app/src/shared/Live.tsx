import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { subscribe, type Operation } from "./graphql";
import { PostCreated, TipCreated, TradeCreated } from "./liveQueries";
import { POST_OPERATIONS } from "../feed/queries";
import { PROFILE_OPERATIONS } from "../profile/queries";
import { COIN_OPERATIONS } from "../coin/queries";
import { TIP_OPERATIONS } from "../tips/queries";

/** Each live feed of the API and the operations its events make stale. */
const FEEDS: [Operation<unknown, Record<string, unknown>>, string[]][] = [
  [
    PostCreated as Operation<unknown, Record<string, unknown>>,
    [...POST_OPERATIONS, ...PROFILE_OPERATIONS],
  ],
  [
    TradeCreated as Operation<unknown, Record<string, unknown>>,
    [...COIN_OPERATIONS, "ProfilePage"],
  ],
  [TipCreated as Operation<unknown, Record<string, unknown>>, [...TIP_OPERATIONS, "PostThread"]],
];

/**
 * Subscribes to the API's posts, trades and tips (Server-Sent Events) and invalidates the
 * queries they touch: the data lives only in TanStack Query. Shows a small live counter.
 */
export function LiveUpdates() {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState(0);
  useEffect(() => {
    const closers = FEEDS.map(([op, touched]) =>
      subscribe(op, {}, () => {
        setEvents((n) => n + 1);
        void queryClient.invalidateQueries({
          predicate: (query) => touched.includes(String(query.queryKey[0])),
        });
      }),
    );
    return () => closers.forEach((close) => close());
  }, [queryClient]);
  return (
    <span className="live small" title="Live updates from the API" aria-live="off">
      <span className="dot" aria-hidden="true" /> live{events > 0 ? ` · ${events}` : ""}
    </span>
  );
}
