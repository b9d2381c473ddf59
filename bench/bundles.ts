/**
 * Function bundles as the CDK app builds them (infra/constructs/loyalty-function.ts): size minified and
 * gzipped, and the time a fresh Node process takes to import one (median of 5), which is the module
 * share of a Lambda cold start. Bundles are written under .bench/bundles so a bundle that leaves the
 * AWS SDK to the runtime resolves it from node_modules, as the Lambda runtime resolves its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../infra/constructs/bundle-options';

export interface BundleFigures {
  minifiedBytes: number;
  gzipBytes: number;
  coldImportMs: number;
}

const OUT_DIR = resolve('.bench/bundles');
const IMPORT_RUNS = 5;

/** What a handler module reads at import on Lambda; nothing is called, no request is sent. */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'bench',
  EVENT_BUS_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'loyalty',
  POWERTOOLS_METRICS_NAMESPACE: 'Loyalty',
  LOG_LEVEL: 'ERROR',
};

export async function bundleFunction(entry: string): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    minify: true,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    banner: { js: BUNDLE_OPTIONS.banner },
    external: [...BUNDLE_OPTIONS.externalModules],
    alias: BUNDLE_OPTIONS.alias,
  });
  return out.outputFiles[0]!.contents;
}

/** Median wall time of `await import(file)` in fresh Node processes. */
export function coldImportMs(file: string): number {
  const script =
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    'process.stdout.write(String(performance.now() - t));';
  const runs: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...LAMBDA_ENV },
      encoding: 'utf8',
    });
    runs.push(Number(out));
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}

export async function benchBundles(): Promise<Record<string, BundleFigures>> {
  mkdirSync(OUT_DIR, { recursive: true });
  const figures: Record<string, BundleFigures> = {};
  for (const file of readdirSync('functions')
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const name = file.replace(/\.ts$/, '');
    const code = await bundleFunction(`functions/${file}`);
    const path = join(OUT_DIR, `${name}.mjs`);
    writeFileSync(path, code);
    figures[name] = { minifiedBytes: code.length, gzipBytes: gzipSync(code).length, coldImportMs: coldImportMs(path) };
  }
  return figures;
}
