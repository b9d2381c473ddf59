// Part of `npm run lint`: lines of code and docs are at most 120 characters, except table rows and
// lines that hold a URL (neither can be wrapped). The formatter wraps code; this catches strings,
// comments and prose it leaves alone.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.md'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);

const long: string[] = [];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.length <= MAX || /https?:\/\//.test(line)) return;
    if (file.endsWith('.md') && line.trimStart().startsWith('|')) return;
    long.push(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) over ${MAX} characters:\n${long.join('\n')}`);
  process.exit(1);
}
