import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from "react";

/**
 * Routes live in the URL's hash (#/coin/0x...), so the static build works on any host without
 * a rewrite rule.
 */
function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

const currentHash = () => window.location.hash.slice(1) || "/";

export interface Route {
  path: string;
  segments: string[];
  query: URLSearchParams;
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  const [path, search = ""] = hash.split("?");
  return {
    path,
    segments: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href">) {
  return (
    <a href={`#${to}`} {...rest}>
      {children}
    </a>
  );
}
