import fs from "node:fs";
import net from "node:net";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** "0100007F:1F90" (little-endian IPv4, port) or the IPv6 form, as /proc/net/tcp* write them. */
function decodeProcAddress(hex: string): { address: string; port: number } {
  const [ip, port] = hex.split(":");
  let address: string;
  if (ip.length === 8) {
    address = [3, 2, 1, 0].map((i) => parseInt(ip.slice(i * 2, i * 2 + 2), 16)).join(".");
  } else {
    // Four little-endian 32-bit words.
    const bytes: number[] = [];
    for (let word = 0; word < 4; word++) {
      for (const i of [3, 2, 1, 0])
        bytes.push(parseInt(ip.slice(word * 8 + i * 2, word * 8 + i * 2 + 2), 16));
    }
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
    // The URL parser writes an IPv6 address in its canonical short form.
    address = new URL(`http://[${groups.join(":")}]`).hostname.slice(1, -1);
  }
  return { address, port: parseInt(port, 16) };
}

/**
 * The addresses the machine has a listening TCP socket on for `port`, read from the kernel's
 * socket tables (/proc/net/tcp and tcp6): what a process binds, whatever it prints.
 */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (fields.length < 4 || fields[3] !== "0A") continue;
      const local = decodeProcAddress(fields[1]);
      if (local.port === port) found.push(local.address);
    }
  }
  return found.sort();
}
