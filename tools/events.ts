// `npm run --silent loyalty -- events tail`: follows what the local stack publishes. `npm start`
// appends every event of ours to `.local/events.jsonl` (local/event-log.ts); this prints the last
// few, then each new one as it is appended, as one compact line (--full: with its payload), until
// Ctrl-C. The file is the channel: nothing to connect to, and it survives restarts of the stack.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { compactLine, type LoggedEvent } from '../local/event-log';

export interface TailOptions {
  file: string;
  full?: boolean;
  /** How many of the events already there to print first (default 10). */
  lines?: number;
  /** Stop after this many new events (tests); default: follow until stopped. */
  max?: number;
  pollMs?: number;
  print?: (line: string) => void;
  signal?: AbortSignal;
}

export async function tailEvents(opts: TailOptions): Promise<number> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const show = (raw: string) => {
    if (!raw.trim()) return;
    try {
      const event = JSON.parse(raw) as LoggedEvent;
      print(compactLine(event));
      if (opts.full) print(JSON.stringify(event.detail, null, 2));
    } catch {
      print(raw);
    }
  };
  let offset = 0;
  if (existsSync(opts.file)) {
    const text = readFileSync(opts.file, 'utf8');
    offset = Buffer.byteLength(text);
    const lines = text.split('\n').filter((l) => l.trim());
    for (const line of lines.slice(Math.max(0, lines.length - (opts.lines ?? 10)))) show(line);
  }
  let seen = 0;
  let partial = '';
  while (!opts.signal?.aborted && (opts.max === undefined || seen < opts.max)) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    if (!existsSync(opts.file)) continue;
    const size = statSync(opts.file).size;
    if (size < offset) offset = 0; // the file was replaced (a new data directory): read it from the start
    if (size === offset) continue;
    const fd = openSync(opts.file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        show(line);
        seen++;
      }
    } finally {
      closeSync(fd);
    }
  }
  return 0;
}

/** Where the running (or last) local stack writes its events. */
export function localEventsFile(stateFile: string): string {
  if (existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    if (typeof state.eventsFile === 'string') return state.eventsFile;
  }
  return '.local/events.jsonl';
}
