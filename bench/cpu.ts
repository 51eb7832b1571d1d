/**
 * CPU time of processes on this machine, read from /proc: what a benchmark's figures cost,
 * whatever share of the cores the machine's other work left the measured processes.
 */
import { readFileSync } from "node:fs";
import pg from "pg";

/** Clock ticks per second of /proc/<pid>/stat (CLK_TCK, 100 on Linux). */
const CLOCK_TICKS = 100;

/** User plus system CPU time of a process so far, in ms; 0 once it has exited. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * Follows the CPU time of every Postgres session on one database (Postgres runs on this machine)
 * from now until `stop`, sampling pg_stat_activity every `intervalMs`. A session already open now
 * counts from now; one that opens later counts from its start. A session that ends between two
 * samples takes the CPU time it spent since the last sample with it, so the total is a floor.
 */
export function followDatabaseCpu(
  adminUrl: string,
  database: string,
  intervalMs = 100,
): { stop(): Promise<number> } {
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  const client = new pg.Client({ connectionString: adminUrl, application_name: "agora-bench-cpu" });
  let first = true;
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    );
    for (const { pid } of rows) {
      const now = processCpuMs(pid);
      if (now === 0) continue;
      if (!start.has(pid)) start.set(pid, first ? now : 0);
      last.set(pid, now);
    }
    first = false;
  };
  const ready = client.connect().then(sample);
  let stopped = false;
  const loop = ready.then(async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (!stopped) await sample();
    }
  });
  return {
    async stop() {
      await ready;
      stopped = true;
      await loop;
      await sample();
      await client.end();
      let total = 0;
      for (const [pid, ms] of last) total += ms - (start.get(pid) ?? 0);
      return total;
    },
  };
}
