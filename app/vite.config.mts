import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { prefetchScript } from "./src/prefetchScript";

/**
 * The app builds to static files. Which chain, contracts and API it talks to is not baked in
 * here: index.html carries a placeholder that `npm run build:app` (scripts/build-app.ts) fills
 * from the deployment file and the API URL, and that `npm start` fills as it serves the page.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

/** Writes the inline script that starts the page's main query early (src/prefetchScript.ts). */
function prefetch(): Plugin {
  return {
    name: "agora-prefetch",
    transformIndexHtml: (html) =>
      html.replace("<!--AGORA_PREFETCH-->", `<script>${prefetchScript()}</script>`),
  };
}

export default defineConfig({
  root: here,
  base: "./",
  plugins: [react(), prefetch()],
  build: {
    outDir: process.env.AGORA_APP_OUT_DIR ?? path.join(here, "dist"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1_000,
  },
  server: { fs: { allow: [path.resolve(here, "..")] } },
});
