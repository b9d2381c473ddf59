import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/loyalty-function';

const run = promisify(execFile);
const outdir = mkdtempSync(path.join(tmpdir(), 'loyalty-synth-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npm run synth', () => {
  it('synthesizes both stacks offline with esbuild bundling, the built-in template validation and ' +
    'cdk-nag', async () => {
    // Arrange: the environment of a developer shell, not the test runner's shortcuts.
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' };
    delete env.CDK_VALIDATION;
    delete env.NODE_ENV;

    // Act: what `npm run synth` runs (cdk synth --quiet), into a temp dir instead of cdk.out.
    const result = await run('npx', ['cdk', 'synth', '--quiet', '-o', outdir], {
      cwd: REPO_ROOT,
      env,
      timeout: 170_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { code?: number; stdout?: string; stderr?: string }) => err);

    // Assert
    expect((result as { code?: number }).code ?? 0, (result as { stderr?: string }).stderr).toBe(0);
    for (const stack of ['Loyalty-dev-Stateful', 'Loyalty-dev-Stateless']) {
      expect(existsSync(path.join(outdir, `${stack}.template.json`)), stack).toBe(true);
    }
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
    const bundles = readdirSync(outdir).filter(
      (d) => d.startsWith('asset.') && existsSync(path.join(outdir, d, 'index.mjs')),
    );
    // One bundle per handler module.
    expect(bundles).toHaveLength(readdirSync('functions').filter((f) => f.endsWith('.ts')).length);
  }, 180_000);
});
