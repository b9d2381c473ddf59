// The API's documentation on the local stack, without an API key: the generated contracts
// (/openapi.json, /asyncapi.json), a Redoc reference of the OpenAPI document (/docs) and the
// problems page (/problems, /problems/<slug>), so a problem's `type` resolves here once its base
// is swapped for the local URL. Every other request goes on to the gateway.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { problem } from '../adapters/http/problem';
import { isProblemSlug } from '../adapters/http/problems';
import { contractFiles } from '../tools/openapi';

export interface DocsOptions {
  /** Where the built reference is kept, one file per version of the document. Default: the OS temp dir. */
  cacheDir?: string;
  logError?: (message: string, error: unknown) => void;
}

const REDOCLY_CLI = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

/** `redocly build-docs --inlineBundle`: Redoc itself is embedded, so the page loads nothing from a CDN. */
async function buildReference(openapi: string, cacheDir: string): Promise<string> {
  const file = join(cacheDir, `redoc-${createHash('sha256').update(openapi).digest('hex').slice(0, 16)}.html`);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'build-'));
  try {
    writeFileSync(join(work, 'openapi.json'), openapi);
    await promisify(execFile)(
      process.execPath,
      [REDOCLY_CLI, 'build-docs', join(work, 'openapi.json'), '--inlineBundle', '-o', join(work, 'docs.html')],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 120_000 },
    );
    // Another process may build the same version at the same time: each moves a complete file in place.
    renameSync(join(work, 'docs.html'), file);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** The problems page as HTML: the markdown generator's subset (headings, paragraphs, lists), slugs as ids. */
export function problemsHtml(markdown: string): string {
  const body: string[] = [];
  let list = false;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) body.push(`<p>${inline(paragraph.join(' '))}</p>`);
    paragraph = [];
    if (list) body.push('</ul>');
    list = false;
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('<!--')) continue;
    if (line.startsWith('- ')) {
      if (paragraph.length) flush();
      if (!list) body.push('<ul>');
      list = true;
      body.push(`<li>${inline(line.slice(2))}</li>`);
    } else if (line.startsWith('## ')) {
      flush();
      const slug = line.slice(3);
      body.push(`<h2 id="${escapeHtml(slug)}"><a href="#${escapeHtml(slug)}">${escapeHtml(slug)}</a></h2>`);
    } else if (line.startsWith('# ')) {
      flush();
      body.push(`<h1>${inline(line.slice(2))}</h1>`);
    } else if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Problem types - Loyalty points API</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h2 { margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: 1rem; }
h2 a { color: inherit; text-decoration: none; }
:target { background: #fff6d5; }
code { background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Serves the documentation routes (GET, no key) and hands every other request to `next`. */
export function withDocs(next: RequestListener, opts: DocsOptions = {}): RequestListener {
  const cacheDir = opts.cacheDir ?? join(tmpdir(), 'loyalty-docs');
  const logError = opts.logError ?? ((message: string, error: unknown) => console.error(message, error));
  let files: Record<string, string> | undefined;
  let reference: Promise<string> | undefined;
  const contract = () => (files ??= contractFiles());

  const serve = async (path: string, res: ServerResponse): Promise<void> => {
    const html = { 'content-type': 'text/html; charset=utf-8' };
    const json = { 'content-type': 'application/json' };
    if (path === '/openapi.json') return send(res, 200, json, contract()['docs/openapi.json']!);
    if (path === '/asyncapi.json') return send(res, 200, json, contract()['docs/asyncapi.json']!);
    if (path === '/problems') return send(res, 200, html, problemsHtml(contract()['docs/problems.md']!));
    // The reference links each problem type to docs/problems.md#<slug>, relative to /docs.
    if (path === '/docs/problems.md') return send(res, 302, { location: '/problems' }, '');
    if (path.startsWith('/problems/')) {
      const slug = path.slice('/problems/'.length);
      if (isProblemSlug(slug)) return send(res, 302, { location: `/problems#${slug}` }, '');
      const { statusCode, headers, body } = problem('not-found', `No problem type "${slug}"`);
      return send(res, statusCode, headers, body);
    }
    reference ??= buildReference(contract()['docs/openapi.json']!, cacheDir).catch((err: unknown) => {
      reference = undefined;
      throw err;
    });
    try {
      send(res, 200, html, await reference);
    } catch (err) {
      logError('building the API reference (redocly build-docs)', err);
      const { statusCode, headers, body } = problem('internal', 'The API reference could not be built: see the log');
      send(res, statusCode, headers, body);
    }
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    const docs = ['/openapi.json', '/asyncapi.json', '/docs', '/docs/problems.md', '/problems'];
    if (req.method !== 'GET' || !(docs.includes(path) || path.startsWith('/problems/'))) return next(req, res);
    serve(path, res).catch((err: unknown) => {
      logError('serving the documentation', err);
      if (!res.headersSent) send(res, 500, { 'content-type': 'text/plain' }, 'documentation unavailable');
    });
  };
}
