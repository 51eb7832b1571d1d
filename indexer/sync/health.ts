/**
 * What currently keeps the indexer from doing its work, as /ready reports it. Each component
 * reports its latest outcome: a failure sets its problem, a success clears it.
 */
export type Component =
  /** The JSON-RPC provider: transport, HTTP and reply faults of single requests. */
  | "rpc"
  /** The sync loop: a step failed (on the provider, its data or the database) and is retried. */
  | "sync";

export interface Problem {
  component: Component;
  error: string;
  /** When the first failure of the current run of failures happened (ISO 8601). */
  since: string;
  /** Failures in a row. */
  failures: number;
}

export interface Health {
  /** Records the outcome of an operation of `component`: an error, or null for a success. */
  report(component: Component, error: unknown): void;
  problems(): Problem[];
}

export function createHealth(): Health {
  const current = new Map<Component, Problem>();
  return {
    report(component, error) {
      if (error === null || error === undefined) {
        current.delete(component);
        return;
      }
      const previous = current.get(component);
      current.set(component, {
        component,
        error: error instanceof Error ? error.message : String(error),
        since: previous?.since ?? new Date().toISOString(),
        failures: (previous?.failures ?? 0) + 1,
      });
    },
    problems: () => [...current.values()].map((problem) => ({ ...problem })),
  };
}
