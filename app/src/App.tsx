import { lazy, Suspense, useState, type ReactNode } from "react";
import { isDevnet, config } from "./config";
import { Link, navigate, useRoute } from "./shared/router";
import { LiveUpdates } from "./shared/Live";
import { Loading } from "./shared/ui";
import { FeedPage } from "./feed/FeedPage";
import { NetworkGuard, WalletMenu } from "./wallet/WalletMenu";
import { useViewer } from "./wallet/viewer";

const PostPage = lazy(() => import("./feed/PostPage").then((m) => ({ default: m.PostPage })));
const ProfilePage = lazy(() =>
  import("./profile/ProfilePage").then((m) => ({ default: m.ProfilePage })),
);
const RegisterPage = lazy(() =>
  import("./profile/RegisterPage").then((m) => ({ default: m.RegisterPage })),
);
const SettingsPage = lazy(() =>
  import("./profile/SettingsPage").then((m) => ({ default: m.SettingsPage })),
);
const SearchPage = lazy(() =>
  import("./profile/SearchPage").then((m) => ({ default: m.SearchPage })),
);
const MessagesPage = lazy(() =>
  import("./privacy/MessagesPage").then((m) => ({ default: m.MessagesPage })),
);
const ModerationPage = lazy(() =>
  import("./privacy/ModerationPage").then((m) => ({ default: m.ModerationPage })),
);
const CoinsPage = lazy(() => import("./coin/CoinsPage").then((m) => ({ default: m.CoinsPage })));
const CoinPage = lazy(() => import("./coin/CoinPage").then((m) => ({ default: m.CoinPage })));
const EarningsPage = lazy(() =>
  import("./earnings/EarningsPage").then((m) => ({ default: m.EarningsPage })),
);
const PortfolioPage = lazy(() =>
  import("./coin/PortfolioPage").then((m) => ({ default: m.PortfolioPage })),
);
const TipsPage = lazy(() => import("./tips/TipsPage").then((m) => ({ default: m.TipsPage })));
const DaoPage = lazy(() => import("./dao/DaoPage").then((m) => ({ default: m.DaoPage })));
const ProposalPage = lazy(() =>
  import("./dao/ProposalPage").then((m) => ({ default: m.ProposalPage })),
);
const ProposeForm = lazy(() =>
  import("./dao/ProposeForm").then((m) => ({ default: m.ProposeForm })),
);

function Page() {
  const { segments, query } = useRoute();
  const [first, second, third] = segments;
  switch (first) {
    case undefined:
      return <FeedPage />;
    case "post":
      return <PostPage id={second} />;
    case "u":
      return <ProfilePage key={second} handle={second} />;
    case "register":
      return <RegisterPage />;
    case "settings":
      return <SettingsPage />;
    case "search":
      return <SearchPage initial={query.get("q") ?? ""} />;
    case "messages":
      return <MessagesPage handle={second} />;
    case "moderation":
      return <ModerationPage />;
    case "coins":
      return <CoinsPage />;
    case "coin":
      return <CoinPage key={second} address={second} />;
    case "portfolio":
      return <PortfolioPage />;
    case "earnings":
      return <EarningsPage />;
    case "tips":
      return <TipsPage />;
    case "dao":
      if (second === "proposal") return <ProposalPage key={third} id={third} />;
      if (second === "propose") return <ProposeForm />;
      return <DaoPage />;
    default:
      return (
        <p>
          Nothing here. <Link to="/">Go home</Link>.
        </p>
      );
  }
}

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { path } = useRoute();
  const current = to === "/" ? path === "/" : path.startsWith(to);
  return (
    <Link to={to} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}

function SearchBox() {
  const [text, setText] = useState("");
  return (
    <form
      role="search"
      className="search"
      onSubmit={(event) => {
        event.preventDefault();
        navigate(`/search?q=${encodeURIComponent(text.trim().replace(/^@/, ""))}`);
      }}
    >
      <label htmlFor="nav-search" className="sr-only">
        Search handles
      </label>
      <input
        id="nav-search"
        type="search"
        placeholder="Search @handles"
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </form>
  );
}

export function App() {
  const { address, profile } = useViewer();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Agora
        </Link>
        {isDevnet && (
          <span className="badge devnet" title={`Local chain ${config.chainId}`}>
            devnet
          </span>
        )}
        <SearchBox />
        <WalletMenu />
      </header>
      <NetworkGuard />
      <div className="layout">
        <nav aria-label="Main">
          <NavLink to="/">Home</NavLink>
          <NavLink to="/coins">Creators</NavLink>
          <NavLink to="/tips">Tips</NavLink>
          <NavLink to="/dao">DAO</NavLink>
          {address && <NavLink to="/portfolio">Portfolio</NavLink>}
          {address && <NavLink to="/earnings">Earnings</NavLink>}
          {address && !profile && <NavLink to="/register">Register</NavLink>}
          {profile && <NavLink to={`/u/${profile.handle}`}>Profile</NavLink>}
          {profile && <NavLink to="/messages">Messages</NavLink>}
          {profile && <NavLink to="/moderation">Moderation</NavLink>}
          {profile && <NavLink to="/settings">Settings</NavLink>}
          <LiveUpdates />
        </nav>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Loading what="the page" />}>
            <Page />
          </Suspense>
        </main>
      </div>
    </>
  );
}
