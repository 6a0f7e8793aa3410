import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';

/** The bundles the card and console pages load (built by `bundleWebAssets`). */
export const WEB_ASSET_FILES = ['card.js', 'card.css', 'console.js', 'console.css'] as const;

/**
 * Where `npm run build` (scripts/build-web.js) puts the bundles: `dist/ui-extension/web/static`,
 * found relative to this file once compiled to `dist/app/http/console/`.
 */
export function defaultWebAssetsDir(): string {
  return path.resolve(__dirname, '../../../ui-extension/web/static');
}

/**
 * Bundle the browser code (plain TypeScript + DOM) with esbuild: one IIFE and one stylesheet per
 * page, no source maps (no inline data either: the CSP allows only 'self'). esbuild is a build-time
 * dependency, loaded only when this runs.
 */
export async function bundleWebAssets(options: { sourceDir: string; outDir: string }): Promise<string[]> {
  const esbuild = await import('esbuild');
  const src = (file: string) => path.join(options.sourceDir, 'src', file);
  const result = await esbuild.build({
    entryPoints: [
      { in: src('card.main.ts'), out: 'card' },
      { in: src('console.main.ts'), out: 'console' },
      { in: src('card.css'), out: 'card' },
      { in: src('console.css'), out: 'console' },
    ],
    outdir: options.outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    tsconfig: path.join(options.sourceDir, 'tsconfig.json'),
    metafile: true,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.outputs).map((f) => path.basename(f));
}

/** Strict CSP for our pages: scripts and styles from our origin only, nothing inline. */
export function pageSecurityHeaders(options: { frameAncestors: readonly string[] }): RequestHandler {
  const framed = options.frameAncestors.some((a) => a !== "'none'");
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: [...options.frameAncestors],
      },
    },
    // X-Frame-Options cannot list origins; CSP frame-ancestors governs framing when the card is embedded.
    frameguard: framed ? false : { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/** Static bundles with a clear 503 when they were never built (instead of a bare 404). */
export function webAssetsRouter(dir: string): Router {
  const router = express.Router();
  router.use((req, res, next) => {
    // serve-static answers other methods with a bare 405; the API's error shape instead.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .set('Allow', 'GET, HEAD')
        .status(405)
        .json({ error: { code: 'HTTP.METHOD_NOT_ALLOWED', message: `${req.method} is not allowed on static assets: use GET` } });
      return;
    }
    if (!existsSync(path.join(dir, 'card.js'))) {
      res.status(503).json({ error: { code: 'HTTP.ASSETS_MISSING', message: `web assets are not built in ${dir}: run "npm run build"` } });
      return;
    }
    next();
  });
  router.use(express.static(dir, { index: false, fallthrough: false, maxAge: '5m', immutable: false }));
  return router;
}

/** Minimal HTML escaping for the few server-side values in the page shells. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A page shell: no data in it (the script fetches it), so nothing from the CRM ever passes through HTML. */
export function pageShell(options: { title: string; base: string; script: string; style: string; bodyClass: string }): string {
  const base = escapeHtml(options.base);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="${base}/assets/${escapeHtml(options.style)}">
<script src="${base}/assets/${escapeHtml(options.script)}" defer></script>
</head>
<body class="${escapeHtml(options.bodyClass)}" data-base="${base}">
<main id="app" tabindex="-1"><p class="loading">Loading… / 加载中…</p></main>
<noscript><p>This page needs JavaScript. / 此页面需要启用 JavaScript。</p></noscript>
</body>
</html>
`;
}
