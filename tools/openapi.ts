// `npm run openapi`: writes the generated contracts, docs/openapi.json, docs/asyncapi.json and
// docs/problems.md. They are committed; a unit test fails when they differ from what this writes.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asyncApiDocument } from '../adapters/eventbridge/asyncapi';
import { openApiDocument, problemCatalog, problemsMarkdown } from '../adapters/http/openapi';
import { GATEWAY_PROBLEMS } from '../infra/constructs/problem-responses';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The problem types API Gateway answers with on its own (the gateway responses of the stack). */
export const GATEWAY_PROBLEM_SLUGS = [...new Set(GATEWAY_PROBLEMS.map((p) => p.problem))];

const json = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

/** Each generated file, by its path from the repository root. */
export function contractFiles(): Record<string, string> {
  return {
    'docs/openapi.json': json(openApiDocument()),
    'docs/asyncapi.json': json(asyncApiDocument()),
    'docs/problems.md': problemsMarkdown(problemCatalog(GATEWAY_PROBLEM_SLUGS)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const [path, content] of Object.entries(contractFiles())) {
    writeFileSync(join(REPO_ROOT, path), content);
    console.log(`wrote ${path}`);
  }
}
