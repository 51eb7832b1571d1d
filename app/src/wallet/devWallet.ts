import { createConnector } from "wagmi";
import {
  createWalletClient,
  getAddress,
  http,
  numberToHex,
  type Address,
  type EIP1193RequestFn,
  type Hex,
  type TransactionRequest,
} from "viem";
import { config } from "../config";

const STORAGE_KEY = "agora.devWallet.account";
const CONNECTED_KEY = "agora.devWallet.connected";

type Listener = (index: number) => void;
const listeners = new Set<Listener>();

export function selectedDevAccount(): number {
  const stored = Number(localStorage.getItem(STORAGE_KEY) ?? 0);
  return Number.isInteger(stored) && stored >= 0 ? stored : 0;
}

/** Switches the development wallet to another demo account; wagmi sees an account change. */
export function selectDevAccount(index: number): void {
  localStorage.setItem(STORAGE_KEY, String(index));
  for (const listener of listeners) listener(index);
}

async function rpc(method: string, params: unknown): Promise<unknown> {
  const response = await fetch(config.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
  });
  const body = (await response.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error) throw Object.assign(new Error(body.error.message), body.error);
  return body.result;
}

/**
 * Devnet only: sends the account 100 ETH from the first demo account, as Scaffold-ETH's local
 * faucet does: a mined transfer, which the local chain's journal keeps (it refuses
 * hardhat_setBalance, whose effect a replay could not rebuild). Resolves once it is mined.
 */
export async function devFaucet(address: Address): Promise<void> {
  const { devAccount } = await import("./devAccounts");
  const wallet = createWalletClient({ account: devAccount(0), transport: http(config.rpcUrl) });
  const hash = await wallet.sendTransaction({ to: address, value: 100n * 10n ** 18n, chain: null });
  for (;;) {
    if (await rpc("eth_getTransactionReceipt", [hash])) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The development wallet: an EIP-1193 provider that signs with the devnet's demo accounts in
 * the page and sends the signed transactions to the node. It exists only on the local devnet
 * (chain.ts adds it there alone).
 */
export function devWallet() {
  let connected = localStorage.getItem(CONNECTED_KEY) === "1";
  return createConnector((wagmi) => {
    const account = async () => (await import("./devAccounts")).devAccount(selectedDevAccount());
    const request = (async ({ method, params }: { method: string; params?: unknown }) => {
      const list = params as unknown[] | undefined;
      switch (method) {
        case "eth_chainId":
          return numberToHex(config.chainId);
        case "eth_accounts":
          return connected ? [(await account()).address] : [];
        case "eth_requestAccounts":
          connected = true;
          return [(await account()).address];
        case "wallet_switchEthereumChain":
          return null;
        case "eth_sendTransaction": {
          const tx = list![0] as TransactionRequest & { gas?: Hex; value?: Hex; data?: Hex };
          const client = createWalletClient({
            account: await account(),
            transport: http(config.rpcUrl),
          });
          return client.sendTransaction({
            chain: null,
            to: tx.to ?? undefined,
            data: tx.data,
            value: tx.value === undefined ? undefined : BigInt(tx.value),
            gas: tx.gas === undefined ? undefined : BigInt(tx.gas),
          });
        }
        case "personal_sign":
          return (await account()).signMessage({ message: { raw: list![0] as Hex } });
        case "eth_signTypedData_v4": {
          const data = JSON.parse(list![1] as string) as Parameters<
            Awaited<ReturnType<typeof account>>["signTypedData"]
          >[0];
          return (await account()).signTypedData(data);
        }
        default:
          return rpc(method, params);
      }
    }) as EIP1193RequestFn;
    const provider = { request, on() {}, removeListener() {} };
    return {
      id: "agoraDevWallet",
      name: "Development wallet (devnet)",
      type: "agoraDevWallet",
      async setup() {
        listeners.add(async () => {
          if (!connected) return;
          wagmi.emitter.emit("change", { accounts: [(await account()).address] });
        });
      },
      async connect(parameters?: { withCapabilities?: boolean }) {
        connected = true;
        localStorage.setItem(CONNECTED_KEY, "1");
        const address = (await account()).address;
        const accounts = parameters?.withCapabilities ? [{ address, capabilities: {} }] : [address];
        return { accounts, chainId: config.chainId } as never;
      },
      async disconnect() {
        connected = false;
        localStorage.removeItem(CONNECTED_KEY);
      },
      async getAccounts() {
        return connected ? [getAddress((await account()).address)] : [];
      },
      async getChainId() {
        return config.chainId;
      },
      async getProvider() {
        return provider;
      },
      async isAuthorized() {
        return connected;
      },
      async switchChain() {
        return wagmi.chains[0];
      },
      onAccountsChanged(accounts: string[]) {
        wagmi.emitter.emit("change", { accounts: accounts.map((x) => getAddress(x)) });
      },
      onChainChanged() {},
      onDisconnect() {
        wagmi.emitter.emit("disconnect");
      },
    };
  });
}
