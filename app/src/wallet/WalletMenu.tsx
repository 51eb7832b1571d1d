import { useEffect, useState } from "react";
import { useAccount, useConnect, useDisconnect, useSwitchChain } from "wagmi";
import { config, isDevnet } from "../config";
import { chain } from "../chain";
import { shortAddress } from "../shared/format";
import { Link } from "../shared/router";
import { devFaucet, selectDevAccount, selectedDevAccount } from "./devWallet";
import { useViewer } from "./viewer";

const DEMO_NAMES = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "mallory",
  "niaj",
  "olivia",
  "peggy",
  "rupert",
  "sybil",
  "trent",
  "victor",
  "walter",
  "zoe",
  "yusuf",
  "xena",
  "quinn",
  "uma",
];

/** Demo accounts of the devnet: the seed's people, then fresh ones for a newcomer. */
function DevAccountPicker() {
  const [index, setIndex] = useState(selectedDevAccount());
  const [addresses, setAddresses] = useState<string[]>([]);
  const { address } = useAccount();
  const [funding, setFunding] = useState(false);
  useEffect(() => {
    void import("./devAccounts").then(({ devAccount, DEV_ACCOUNT_COUNT }) =>
      setAddresses(Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => devAccount(i).address)),
    );
  }, []);
  return (
    <div className="devwallet">
      <label htmlFor="dev-account">Demo account</label>
      <select
        id="dev-account"
        value={index}
        onChange={(event) => {
          const next = Number(event.target.value);
          setIndex(next);
          selectDevAccount(next);
        }}
      >
        {addresses.map((a, i) => (
          <option key={a} value={i}>
            #{i} {DEMO_NAMES[i] ? `(${DEMO_NAMES[i]})` : "(new)"} {shortAddress(a)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="small-button"
        disabled={!address || funding}
        onClick={async () => {
          setFunding(true);
          try {
            await devFaucet(address!);
          } finally {
            setFunding(false);
          }
        }}
      >
        {funding ? "Funding…" : "Faucet: 100 ETH"}
      </button>
    </div>
  );
}

export function WalletMenu() {
  const { address, status, chainId, connector } = useAccount();
  const { connectors, connect, error } = useConnect();
  const { disconnect } = useDisconnect();
  const { profile } = useViewer();
  const [open, setOpen] = useState(false);
  if (status !== "connected" || !address) {
    return (
      <div className="wallet" data-status={status}>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="connectors"
          onClick={() => setOpen(!open)}
        >
          Connect
        </button>
        {open && (
          <ul id="connectors" className="menu" aria-label="Wallets">
            {connectors.map((c) => (
              <li key={c.uid}>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    setOpen(false);
                    connect({ connector: c, chainId: config.chainId });
                  }}
                >
                  {c.id === "agoraDevWallet"
                    ? "Use development wallet"
                    : c.name === "Injected"
                      ? "Browser wallet (MetaMask, Rabby, …)"
                      : c.name}
                </button>
              </li>
            ))}
          </ul>
        )}
        {error && <span className="error small">{error.message}</span>}
      </div>
    );
  }
  return (
    <div className="wallet" data-status={status}>
      {connector?.id === "agoraDevWallet" && (
        <span
          className="badge devnet"
          title="Signs with public demo keys; exists only on the local devnet"
        >
          DEV WALLET
        </span>
      )}
      <span className="account" data-account={address.toLowerCase()}>
        {profile ? (
          <Link to={`/u/${profile.handle}`}>@{profile.handle}</Link>
        ) : (
          shortAddress(address)
        )}
      </span>
      {chainId !== config.chainId && <span className="badge warn">wrong network</span>}
      {connector?.id === "agoraDevWallet" && isDevnet && <DevAccountPicker />}
      <button type="button" className="small-button" onClick={() => disconnect()}>
        Disconnect
      </button>
    </div>
  );
}

/** A wallet on another chain: say so and offer to switch. */
export function NetworkGuard() {
  const { status, chainId } = useAccount();
  const { switchChain, isPending, error } = useSwitchChain();
  if (status !== "connected" || chainId === config.chainId) return null;
  return (
    <div className="banner" role="alert">
      Your wallet is on chain {chainId}; Agora here runs on {chain.name} (chain {config.chainId}).{" "}
      <button
        type="button"
        disabled={isPending}
        onClick={() => switchChain({ chainId: config.chainId })}
      >
        Switch to {chain.name}
      </button>
      {error && <span className="error small"> {error.message}</span>}
    </div>
  );
}
