/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every sample must follow
 * its family's # HELP and # TYPE lines, names and labels must be well formed, and values must
 * be numbers. It throws on the first line that is not, naming it.
 */
export interface Exposition {
  /** Family name to its type. */
  types: Map<string, string>;
  /** `name{label="value",...}` (labels sorted) to value. */
  samples: Map<string, number>;
  /** The value of `name` with exactly these labels, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` whatever its labels, as [labels, value]. */
  all(name: string): [Record<string, string>, number][];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/;
const SUFFIXES = ["_bucket", "_sum", "_count", "_total", "_created"];

function key(name: string, labels: Record<string, string>): string {
  const text = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${labels[label]}"`)
    .join(",");
  return text === "" ? name : `${name}{${text}}`;
}

function splitLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  // Commas inside quoted values are escaped or quoted: split outside quotes only.
  let current = "";
  let quoted = false;
  const parts: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) {
      current += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  if (current !== "") parts.push(current);
  for (const part of parts) {
    const match = LABEL.exec(part);
    if (!match) throw new Error(`bad label ${JSON.stringify(part)} in ${JSON.stringify(line)}`);
    labels[match[1]] = match[2];
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples = new Map<string, number>();
  const byName = new Map<string, [Record<string, string>, number][]>();
  if (!text.endsWith("\n")) throw new Error("the exposition does not end with a newline");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) {
      const name = line.slice(7).split(" ")[0];
      if (!NAME.test(name)) throw new Error(`bad metric name in ${JSON.stringify(line)}`);
      helped.add(name);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(type)) {
        throw new Error(`bad type in ${JSON.stringify(line)}`);
      }
      if (types.has(name)) throw new Error(`family ${name} declared twice`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`bad sample line ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = match;
    const family = types.has(name)
      ? name
      : SUFFIXES.map((suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : ""))
          .filter((base) => base !== "" && types.has(base))
          .at(0);
    if (family === undefined) throw new Error(`sample ${name} has no # TYPE line`);
    if (!helped.has(family)) throw new Error(`sample ${name} has no # HELP line`);
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case.
    const special = /^([+-]?)(inf|nan)$/i.exec(valueText);
    const value = special
      ? special[2].toLowerCase() === "nan"
        ? NaN
        : special[1] === "-"
          ? -Infinity
          : Infinity
      : Number(valueText);
    if (valueText === "" || (Number.isNaN(value) && !special)) {
      throw new Error(`bad value in ${JSON.stringify(line)}`);
    }
    const labels = labelText ? splitLabels(labelText, line) : {};
    const sampleKey = key(name, labels);
    if (samples.has(sampleKey)) throw new Error(`sample ${sampleKey} appears twice`);
    samples.set(sampleKey, value);
    if (!byName.has(name)) byName.set(name, []);
    byName.get(name)!.push([labels, value]);
  }
  return {
    types,
    samples,
    value: (name, labels = {}) => samples.get(key(name, labels)),
    all: (name) => byName.get(name) ?? [],
  };
}
