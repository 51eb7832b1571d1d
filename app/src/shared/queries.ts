import {
  keepPreviousData,
  useInfiniteQuery,
  useQuery,
  type UseQueryOptions,
} from "@tanstack/react-query";
import { request, type Operation } from "./graphql";

/** The query key of an operation: its name, then its variables. Invalidation matches the name. */
export function queryKey(op: { name: string }, variables: unknown): readonly unknown[] {
  return [op.name, variables];
}

/** Server state from the API, cached by TanStack Query under [operation name, variables]. */
export function useApi<TData, TVariables extends Record<string, unknown>>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
  options: Partial<Pick<UseQueryOptions<TData>, "enabled" | "refetchInterval" | "staleTime">> = {},
) {
  return useQuery<TData>({
    queryKey: queryKey(op, variables),
    queryFn: ({ signal }) => request(op, variables, signal),
    placeholderData: keepPreviousData,
    ...options,
  });
}

/** A connection read page by page (`after: endCursor`) under one key. */
export function useApiPages<TData, TVariables extends Record<string, unknown>>(
  op: Operation<TData, TVariables & { after?: string | null }>,
  variables: TVariables,
  pageInfo: (data: TData) => { hasNextPage: boolean; endCursor: string | null },
  options: { enabled?: boolean } = {},
) {
  return useInfiniteQuery({
    queryKey: queryKey(op, variables),
    queryFn: ({ pageParam, signal }) =>
      request(
        op,
        { ...variables, after: pageParam } as TVariables & { after?: string | null },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: TData) => {
      const info = pageInfo(last);
      return info.hasNextPage ? info.endCursor : undefined;
    },
    ...options,
  });
}
