import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as keyModule from '../../adapters/dynamodb/keys';

// docs/data-model.md is the spec of every key: its tables are evaluated against the key builders.
const doc = readFileSync(new URL('../../docs/data-model.md', import.meta.url), 'utf8');

/** The rows of the markdown table that follows a heading, as cells with the backticks kept. */
function tableRows(heading: string): string[][] {
  const section = doc.slice(doc.indexOf(heading));
  const lines = section.split('\n').slice(1);
  const start = lines.findIndex((l) => l.startsWith('|'));
  const table = lines.slice(
    start,
    lines.findIndex((l, i) => i > start && !l.startsWith('|')),
  );
  return table.slice(2).map((l) =>
    l
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

const code = (cell: string) => /^`(.*)`$/.exec(cell)?.[1] ?? cell;

/** Every builder keys.ts exports: its key builders, its collections, and its index-key functions. */
function builders(): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(keyModule)) {
    if (name === 'keys' || name === 'collections') names.push(...Object.keys(value).map((k) => `${name}.${k}`));
    else names.push(name);
  }
  return names.sort();
}

describe('docs/data-model.md', () => {
  const items = tableRows('## Items');
  const indexes = tableRows('## Index keys and query bounds');

  it('shows, for every item, the key its builder makes', () => {
    expect(items.length).toBeGreaterThan(20);
    for (const [entity, builder, pk, sk] of items) {
      const call = /^keys\.(\w+)\(([^)]*)\)$/.exec(code(builder!));
      expect(call, `${entity}: builder ${builder}`).not.toBeNull();
      const [, name, params] = call!;
      const fn = (keyModule.keys as unknown as Record<string, (...a: string[]) => { pk: string; sk: string }>)[name!];
      expect(fn, `keys.${name} exists`).toBeTypeOf('function');
      const args = params!.split(',').map((p) => `<${p.trim()}>`);
      expect(args, `keys.${name} arguments`).toHaveLength(fn!.length);
      expect(fn!(...args), entity).toEqual({ pk: code(pk!), sk: code(sk!) });
    }
  });

  it('shows, for every index key and query bound, what a sample call returns', () => {
    const scope: Record<string, unknown> = { ...keyModule };
    for (const [builder, sample, result] of indexes) {
      const value = new Function(...Object.keys(scope), `return ${code(sample!)};`)(...Object.values(scope));
      expect(value, `${builder}: ${sample}`).toEqual(JSON.parse(code(result!)));
    }
  });

  it('documents every builder, and names no builder that does not exist', () => {
    const documented = [
      ...items.map(([, builder]) => /^keys\.(\w+)/.exec(code(builder!))![0]),
      ...indexes.map(([builder]) => code(builder!)),
    ];
    expect([...new Set(documented)].sort()).toEqual(builders());
  });
});
