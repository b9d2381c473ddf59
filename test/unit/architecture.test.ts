import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIRS = ['core', 'adapters', 'functions', 'infra', 'local', 'tools', 'bench', 'bin'];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

const all = SOURCE_DIRS.flatMap(sources);
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const importsOf = (file: string) => [...text(file).matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('the layout', () => {
  it('keeps DynamoDB requests, key prefixes and index names inside the DynamoDB adapter', () => {
    const dynamo = new RegExp(
      [
        String.raw`\b(ConditionExpression|UpdateExpression|KeyConditionExpression|FilterExpression|IndexName)\b`,
        String.raw`\bgsi[12](pk|sk)\b`,
        '\\bTableName:',
        '(PROGRAM|APIKEY|MEMBER|ORDER|LOT|TX|DUE|JOB)#',
        String.raw`\bby(DueDate|ProgramDate)\b`,
      ].join('|'),
    );
    const offenders = all
      .filter((f) => !f.startsWith('adapters/dynamodb/'))
      .flatMap((f) =>
        text(f)
          .split('\n')
          .flatMap((line, i) => (dynamo.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });

  it('gives no use case, domain module or port an adapter to import', () => {
    const offenders = all
      .filter((f) => f.startsWith('core/'))
      .filter((f) => importsOf(f).some((spec) => spec.includes('/adapters/')));
    expect(offenders).toEqual([]);
  });

  it('keeps the domain free of AWS and I/O', () => {
    const offenders = all
      .filter((f) => /^core\/[^/]+\/domain\//.test(f))
      .filter((f) => importsOf(f).some((spec) => /^@aws-sdk|^aws-|^node:(fs|http|https|net|child_process)/.test(spec)));
    expect(offenders).toEqual([]);
  });

  it('builds the authorizer without zod, so its cold start stays small', async () => {
    const out = await build({
      entryPoints: [join(ROOT, 'functions/authorizer.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.filter((i) => i.includes('node_modules/zod/'))).toEqual([]);
    expect(inputs.filter((i) => i.includes('node_modules/@middy/'))).toEqual([]);
  });
});
