/// <reference types="vite/client" />
// The problem registry against what names it: every domain error, every route, and the problems page.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isProblemSlug, PROBLEM_BASE, PROBLEMS } from '../../adapters/http/problems';
import { COMMON_PROBLEMS } from '../../adapters/http/route';
import { ROUTE_LIST } from '../../adapters/http/routes';
import { DomainError } from '../../core/kernel/errors';

const errorModules = import.meta.glob<Record<string, unknown>>('../../core/**/errors.ts', { eager: true });

const domainErrors = Object.entries(errorModules).flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof DomainError)
    .map(([name, value]) => ({
      error: `${file.replace('../../', '')} ${name}`,
      problem: (value as typeof DomainError).problem,
    })),
);

const page = readFileSync(fileURLToPath(new URL('../../docs/problems.md', import.meta.url)), 'utf8');
/** The sections of docs/problems.md by heading: `## <slug>` is the anchor `#<slug>`. */
const sections = new Map(
  page
    .split(/^## /m)
    .slice(1)
    .map((s) => [s.slice(0, s.indexOf('\n')), s] as const),
);

describe('the problem registry', () => {
  it('has a problem type for every domain error', () => {
    expect(Object.keys(errorModules).length).toBeGreaterThanOrEqual(6);
    expect(domainErrors.length).toBeGreaterThan(20);
    const unknown = domainErrors.filter((e) => typeof e.problem !== 'string' || !isProblemSlug(e.problem));
    expect(unknown).toEqual([]);
  });

  it('documents every slug in docs/problems.md under its own heading, with status and title', () => {
    for (const [slug, { status, title }] of Object.entries(PROBLEMS)) {
      const section = sections.get(slug);
      expect(section, `docs/problems.md has no "## ${slug}"`).toBeDefined();
      expect(section).toContain(`- Status: ${status}\n`);
      expect(section).toContain(`- Title: ${title}\n`);
      expect(section).toContain(`\`${PROBLEM_BASE}${slug}\``);
    }
    expect([...sections.keys()].sort()).toEqual(Object.keys(PROBLEMS).sort());
  });

  it('has every problem a route lists, and every problem all routes share', () => {
    const listed = [...COMMON_PROBLEMS, ...ROUTE_LIST.flatMap((r) => r.problems.map(String))];
    expect(listed.filter((slug) => !isProblemSlug(slug))).toEqual([]);
  });

  it('lists each route problem in the operations of its section', () => {
    for (const route of ROUTE_LIST) {
      for (const slug of route.problems) {
        expect(sections.get(slug), `${slug} for ${route.operationId}`).toContain(`- \`${route.method} ${route.path}\``);
      }
    }
  });
});
