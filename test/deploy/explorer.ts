import http from "node:http";
import type { AddressInfo } from "node:net";

/** A source submission as the explorer received it (`verifysourcecode`). */
export interface Submission {
  address: string;
  contractName: string;
  compilerVersion: string;
  codeFormat: string;
  sourceCode: string;
  constructorArguments: string;
}

export interface Explorer {
  /** What BLOCKSCOUT_URL names: the explorer's address; its API is under /api. */
  url: string;
  submissions: Submission[];
  /** Addresses whose sources the explorer holds. */
  verified: Set<string>;
  close(): Promise<void>;
}

/**
 * A local block explorer that speaks the Etherscan-compatible contract API Blockscout serves
 * (`getsourcecode`, `verifysourcecode`, `checkverifystatus`) and accepts every submission,
 * keeping it for the test to read. It checks no bytecode: hardhat-verify has already matched the
 * chain's code against the compiled artifacts before it submits.
 */
export async function startExplorer(): Promise<Explorer> {
  const submissions: Submission[] = [];
  const verified = new Set<string>();
  const pending = new Map<string, string>();
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://explorer");
      const params = request.method === "POST" ? new URLSearchParams(body) : url.searchParams;
      const reply = (json: unknown) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(json));
      };
      if (url.pathname !== "/api" || params.get("module") !== "contract") {
        response.writeHead(404).end();
        return;
      }
      switch (params.get("action")) {
        case "getsourcecode": {
          const address = (params.get("address") ?? "").toLowerCase();
          reply({
            status: "1",
            message: "OK",
            result: [{ SourceCode: verified.has(address) ? "verified" : "" }],
          });
          return;
        }
        case "verifysourcecode": {
          const address = (params.get("contractaddress") ?? "").toLowerCase();
          submissions.push({
            address,
            contractName: params.get("contractname") ?? "",
            compilerVersion: params.get("compilerversion") ?? "",
            codeFormat: params.get("codeformat") ?? "",
            sourceCode: params.get("sourceCode") ?? "",
            constructorArguments: params.get("constructorArguements") ?? "",
          });
          const guid = `guid-${submissions.length}`;
          pending.set(guid, address);
          reply({ status: "1", message: "OK", result: guid });
          return;
        }
        case "checkverifystatus": {
          const address = pending.get(params.get("guid") ?? "");
          if (address === undefined) {
            reply({ status: "0", message: "NOTOK", result: "Unknown UID" });
            return;
          }
          verified.add(address);
          reply({ status: "1", message: "OK", result: "Pass - Verified" });
          return;
        }
        default:
          reply({ status: "0", message: "NOTOK", result: "Unknown action" });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    submissions,
    verified,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
