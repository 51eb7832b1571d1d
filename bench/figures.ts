import { writeFileSync } from "node:fs";
import { format } from "prettier";

/** Writes a benchmark's figures as JSON in the repository's style (`prettier --check` passes). */
export async function writeFigures(file: string, figures: unknown): Promise<void> {
  writeFileSync(file, await format(JSON.stringify(figures), { parser: "json" }));
}
