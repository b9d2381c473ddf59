import '../adapters/runtime/node20';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { UsagePlanSyncFailed } from '../adapters/apigateway/usage-plans';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { dynamoStores } from '../adapters/dynamodb/stores';
import { auditWindfall } from '../core/earning/use-cases/audit-windfall';
import { backfill } from '../core/earning/use-cases/backfill';
import { type Clock, systemClock } from '../core/kernel/clock';
import { DomainError, ValidationFailed } from '../core/kernel/errors';
import type { EarnOn, ProgramSettings, ReturnPolicy } from '../core/programs/domain/program';
import { DEFAULT_THROTTLE } from '../core/programs/domain/throttle';
import type { ProgramStore } from '../core/programs/ports';
import { createKey, listKeys, revokeKey } from '../core/programs/use-cases/api-keys';
import {
  createProgram,
  parseScopes,
  rotateWindfallKey,
  settingsErrors,
  updateProgramSettings,
} from '../core/programs/use-cases/manage-programs';
import { setThrottleLimits, syncUsagePlan } from '../core/programs/use-cases/throttle-limits';
import { dlqCommand } from './dlq';
import { localEventsFile, tailEvents } from './events';
import { producerCommand } from './producers';
import { awsUsagePlans, THROTTLE_OPTIONS, throttleFlags } from './usage-plans';

export const LOCAL_STATE_FILE = '.local/state.json';

const USAGE = `Operator CLI for loyalty programs and API keys.

  npm run --silent loyalty -- program create <programId> [--name N] [--currency USD] [--time-zone UTC]
        [--points-per-unit 1] [--pending-days 0] [--lateness-days 30] [--return-policy cap-at-balance|negative-balance]
        [--no-auto-enrol] [--earn-on shipping,tax,gift-cards] [--amount-tolerance-per-line 1]
        [--max-purchase-amount 100000000] [--max-points-per-transaction 1000000] [--json]
  npm run --silent loyalty -- program set <programId> [--time-zone Z] [--pending-days N] [--return-policy P]
        [--points-per-unit N] [--lateness-days N] [--auto-enrol|--no-auto-enrol] [--earn-on shipping,tax,gift-cards]
        [--amount-tolerance-per-line 1] [--max-purchase-amount N] [--max-points-per-transaction N] [--json]
  npm run --silent loyalty -- program show <programId> [--json]
  npm run --silent loyalty -- program sync <programId> --aws [--stage dev] [--json]
        its API Gateway key and usage plan brought to its limits (create and set do it too with --aws)
  Throttle limits, on create and set (operator only; defaults 50, 100, none):
        [--rate N] [--burst N] [--quota N/day|N/week|N/month|none]
  npm run --silent loyalty -- key create <programId> --scopes members:read,purchases:write [--label L]
        [--expires-at 2027-06-30T00:00:00Z] [--json]
  npm run --silent loyalty -- key list <programId> [--json]
  npm run --silent loyalty -- key revoke <programId> <keyId> [--json]
  npm run --silent loyalty -- producer add|remove <programId> --source shop.checkout [--account 123456789012] [--json]
  npm run --silent loyalty -- producer list <programId> [--json]
        who may credit the program over the bus (without --account: this AWS account)
  npm run --silent loyalty -- dlq list|redrive [--max N] [--json]
        events the bus accepted but its consumer could not process, back to the consumer (credits once)
  npm run --silent loyalty -- events tail [--full] [--lines 10]
        follows what the local stack publishes (.local/events.jsonl), one line per event
  npm run --silent loyalty -- backfill <programId> --file history.jsonl [--json]
  npm run --silent loyalty -- windfall audit <programId> (--order ID | --event ID --member ID) [--json]
  npm run --silent loyalty -- windfall rotate-key <programId> [--json]

Target: the local stack started by \`npm start\` (read from ${LOCAL_STATE_FILE}) unless
  --aws [--stage dev]      the deployed stack: the table name comes from the Loyalty-<stage>-Stateful outputs
  --table NAME [--endpoint URL]  an explicit table (and DynamoDB endpoint)
Keys are printed once; only their SHA-256 hash is stored. Windfall keys are never printed: an audit
recomputes each draw with them and says whether it matches what was recorded.`;

/** A program as the operator sees it: windfall keys by id only. */
function shown(program: ProgramSettings): Record<string, unknown> {
  const { windfallKeys, ...rest } = program;
  return {
    ...rest,
    windfallKeys: windfallKeys ? { current: windfallKeys.current, ids: Object.keys(windfallKeys.keys) } : null,
  };
}

function returnPolicy(value: string | undefined): ReturnPolicy | undefined {
  if (value === undefined) return undefined;
  if (value !== 'cap-at-balance' && value !== 'negative-balance')
    throw new ValidationFailed([{ field: 'return-policy', message: 'must be cap-at-balance or negative-balance' }]);
  return value;
}

const numberOf = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** `--earn-on shipping,gift-cards`: those earn, the others do not; `--earn-on ''` turns all three off. */
function earnOn(value: string | undefined): EarnOn | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !['shipping', 'tax', 'gift-cards'].includes(n));
  if (unknown.length)
    throw new ValidationFailed([
      { field: 'earn-on', message: `must list shipping, tax, gift-cards (not ${unknown.join(', ')})` },
    ]);
  return { shipping: names.includes('shipping'), tax: names.includes('tax'), giftCards: names.includes('gift-cards') };
}

/** The money settings (docs/earning-rules.md#money-that-adds-up), alike for `program create` and `program set`. */
function moneySettings(values: {
  'earn-on'?: string;
  'amount-tolerance-per-line'?: string;
  'max-purchase-amount'?: string;
  'max-points-per-transaction'?: string;
}) {
  return {
    earnOn: earnOn(values['earn-on']),
    amountTolerancePerLine: numberOf(values['amount-tolerance-per-line']),
    maxPurchaseAmount: numberOf(values['max-purchase-amount']),
    maxPointsPerTransaction: numberOf(values['max-points-per-transaction']),
  };
}

async function resolveTarget(values: { aws?: boolean; stage?: string; table?: string; endpoint?: string }) {
  if (values.table) return { tableName: values.table, endpoint: values.endpoint };
  if (values.aws) {
    const stackName = `Loyalty-${values.stage ?? 'dev'}-Stateful`;
    const { Stacks } = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
    const tableName = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
    if (!tableName) throw new Error(`Stack ${stackName} has no TableName output: deploy it with npm run deploy first`);
    return { tableName, endpoint: undefined };
  }
  if (!existsSync(LOCAL_STATE_FILE)) {
    throw new Error(
      `No local stack found (${LOCAL_STATE_FILE} is missing). Start it with \`npm start\`, or target AWS with --aws.`,
    );
  }
  const state = JSON.parse(readFileSync(LOCAL_STATE_FILE, 'utf8'));
  if (state.region) process.env.AWS_REGION ??= state.region;
  return { tableName: state.tableName as string, endpoint: state.dynamodbEndpoint as string };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      aws: { type: 'boolean' },
      stage: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      scopes: { type: 'string' },
      label: { type: 'string' },
      'expires-at': { type: 'string' },
      file: { type: 'string' },
      order: { type: 'string' },
      event: { type: 'string' },
      member: { type: 'string' },
      name: { type: 'string' },
      currency: { type: 'string' },
      'points-per-unit': { type: 'string' },
      'time-zone': { type: 'string' },
      'pending-days': { type: 'string' },
      'lateness-days': { type: 'string' },
      'earn-on': { type: 'string' },
      'amount-tolerance-per-line': { type: 'string' },
      'max-purchase-amount': { type: 'string' },
      'max-points-per-transaction': { type: 'string' },
      'return-policy': { type: 'string' },
      'auto-enrol': { type: 'boolean' },
      'no-auto-enrol': { type: 'boolean' },
      max: { type: 'string' },
      full: { type: 'boolean' },
      lines: { type: 'string' },
      source: { type: 'string' },
      account: { type: 'string' },
      ...THROTTLE_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [noun, verb, programId] = positionals;
  if (values.help || !noun) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const out = (data: Record<string, unknown>, text: string) => console.log(values.json ? JSON.stringify(data) : text);
  if (noun === 'dlq') return dlqCommand(verb, { ...values, stateFile: LOCAL_STATE_FILE });
  if (noun === 'events' && verb === 'tail') {
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    return tailEvents({
      file: localEventsFile(LOCAL_STATE_FILE),
      full: values.full === true,
      lines: values.lines === undefined ? 10 : Number(values.lines),
      signal: controller.signal,
    });
  }
  const target = await resolveTarget(values);
  const ddb = createDocumentClient({ endpoint: target.endpoint, region: process.env.AWS_REGION });
  const stores = dynamoStores(ddb, target.tableName, { cache: false });
  const deps = { programs: stores.programs, clock: systemClock };
  if (noun === 'producer') return producerCommand(verb, programId, values, { ...deps, producers: stores.producers });

  if (noun === 'program' && verb === 'create' && programId) {
    const pointsPerUnit = values['points-per-unit'] === undefined ? undefined : Number(values['points-per-unit']);
    const { adminKey, settings } = await createProgram(
      {
        programId,
        name: values.name,
        currency: values.currency?.toUpperCase(),
        timeZone: values['time-zone'],
        pointsPerUnit,
        pendingDays: values['pending-days'] === undefined ? undefined : Number(values['pending-days']),
        latenessDays: values['lateness-days'] === undefined ? undefined : Number(values['lateness-days']),
        returnPolicy: returnPolicy(values['return-policy']),
        ...moneySettings(values),
        autoEnrol: !values['no-auto-enrol'],
        throttle: throttleFlags(values),
      },
      deps,
    );
    // The admin key is shown once: printed even when API Gateway refuses the program's usage plan.
    if (values.aws) return syncAfterCreate(programId, adminKey, deps, values);
    out(
      { programId, adminKey },
      `Program ${programId} created (${settings.currency}, ${settings.pointsPerUnit} point(s) per unit).\nAdmin ` +
        `key (shown once): ${adminKey}`,
    );
    return 0;
  }
  if (noun === 'program' && verb === 'set' && programId) {
    const changes = {
      timeZone: values['time-zone'],
      pendingDays: values['pending-days'] === undefined ? undefined : Number(values['pending-days']),
      returnPolicy: returnPolicy(values['return-policy']),
      pointsPerUnit: values['points-per-unit'] === undefined ? undefined : Number(values['points-per-unit']),
      latenessDays: values['lateness-days'] === undefined ? undefined : Number(values['lateness-days']),
      ...moneySettings(values),
      autoEnrol: values['auto-enrol'] ? true : values['no-auto-enrol'] ? false : undefined,
    };
    const limits = throttleFlags(values);
    const settingsGiven = Object.values(changes).some((v) => v !== undefined);
    // Both halves are checked before either is written: a refused flag changes nothing.
    const errors = settingsErrors(changes);
    if (errors.length) throw new ValidationFailed(errors);
    if (limits) await setThrottleLimits(programId, limits, deps);
    if (settingsGiven || !limits) await updateProgramSettings(programId, changes, deps);
    return printProgram(programId, deps, values, out);
  }
  if (noun === 'program' && verb === 'show' && programId) return printProgram(programId, deps, {}, out);
  if (noun === 'program' && verb === 'sync' && programId) {
    if (!values.aws)
      throw new ValidationFailed([
        { field: 'aws', message: 'is required: sync brings API Gateway in line (locally programs are metered by id)' },
      ]);
    return printProgram(programId, deps, values, out);
  }
  // `backfill <programId>`: the program id is the verb's place.
  if (noun === 'backfill' && verb) {
    if (!values.file) throw new ValidationFailed([{ field: 'file', message: 'is required: a JSON-lines file' }]);
    const lines = readFileSync(values.file, 'utf8')
      .split('\n')
      .map((text, i) => ({ text: text.trim(), i }))
      .filter(({ text }) => text !== '');
    const parsed = lines.map(({ text, i }) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ValidationFailed([{ field: `line ${i + 1}`, message: 'is not JSON' }]);
      }
    });
    const report = await backfill(verb, parsed, { ...stores, clock: systemClock });
    const text = [
      ...report.lines
        .filter((l) => l.status === 'rejected')
        .map(
          (l) =>
            `line ${l.line} (${l.record ?? '?'} ${l.id ?? '?'}): rejected ${l.problem ?? 'validation-failed'}` +
            `${l.errors ? `: ${l.errors.map((e) => `${e.field} ${e.message}`).join('; ')}` : ''}`,
        ),
      `${report.records} record(s): ${report.credited} recorded, ${report.replayed} already recorded, ` +
        `${report.rejected} rejected; ${report.points} point(s) net.`,
    ].join('\n');
    out(report as unknown as Record<string, unknown>, text);
    return report.rejected ? 1 : 0;
  }
  if (noun === 'windfall' && verb === 'audit' && programId) {
    const subject = values.order
      ? { orderId: values.order }
      : values.event && values.member
        ? { eventId: values.event, memberId: values.member }
        : undefined;
    if (!subject) throw new ValidationFailed([{ field: 'order', message: 'is required (or --event ID --member ID)' }]);
    const audit = await auditWindfall(programId, subject, stores);
    const text = audit.draws.length
      ? audit.draws
          .map((d) =>
            [
              `${d.ruleId} v${d.version}: recorded roll ${d.recorded.roll} < ${d.recorded.threshold}? ` +
                `${d.recorded.won ? 'won' : 'lost'}, ${d.recorded.points} points, key ${d.recorded.key ?? '(none)'}`,
              d.recomputed
                ? `  input ${d.recomputed.input}\n  hmac  ${d.recomputed.hash}\n  recomputed roll ` +
                  `${d.recomputed.roll}, ${d.recomputed.won ? 'won' : 'lost'}, ${d.recomputed.points} points`
                : '  not recomputable',
              `  ${d.matches ? 'MATCHES' : 'DOES NOT MATCH'}${d.note ? ` (${d.note})` : ''}`,
            ].join('\n'),
          )
          .join('\n')
      : 'No windfall draws on record for it.';
    out(audit as unknown as Record<string, unknown>, text);
    return audit.draws.every((d) => d.matches) ? 0 : 1;
  }
  if (noun === 'windfall' && verb === 'rotate-key' && programId) {
    const { keyId } = await rotateWindfallKey(programId, deps);
    out({ programId, keyId }, `Windfall key ${keyId} now draws for ${programId}; older keys stay for audits.`);
    return 0;
  }
  if (noun === 'key' && verb === 'create' && programId) {
    if (!values.scopes)
      throw new ValidationFailed([
        { field: 'scopes', message: 'is required, e.g. --scopes members:read,purchases:write' },
      ]);
    const key = await createKey(
      programId,
      { scopes: parseScopes(values.scopes), label: values.label, expiresAt: values['expires-at'] },
      deps,
    );
    const until = key.expiresAt ? `, until ${key.expiresAt}` : '';
    out(
      { apiKey: key.apiKey, scopes: key.scopes, keyId: key.keyId, expiresAt: key.expiresAt },
      `Key ${key.keyId} for ${programId} with ${key.scopes.join(', ')}${until} (shown once):\n${key.apiKey}`,
    );
    return 0;
  }
  if (noun === 'key' && verb === 'list' && programId) {
    const { items } = await listKeys(programId, deps);
    const lines = items.map(
      (k) =>
        `${k.keyId}  ${k.status.padEnd(7)}  ${k.scopes.join(',')}  ${k.label ?? ''}  created ${k.createdAt}` +
        `${k.expiresAt ? `  expires ${k.expiresAt}` : ''}  last used ${k.lastUsedOn ?? 'never'}`,
    );
    out({ programId, items }, lines.join('\n') || `No keys for ${programId}.`);
    return 0;
  }
  // The operator may revoke any key, the program's last admin key included (a leaked one, say).
  if (noun === 'key' && verb === 'revoke' && programId && positionals[3]) {
    const revoked = await revokeKey(programId, positionals[3], '', deps);
    out(revoked as unknown as Record<string, unknown>, `Key ${revoked.keyId} revoked at ${revoked.revokedAt}.`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

type Out = (data: Record<string, unknown>, text: string) => void;
type ProgramDeps = { programs: ProgramStore; clock: Clock };

/**
 * The program as the operator sees it, synced to API Gateway first with --aws. Its API Gateway key's
 * value stays out: only the authorizer needs it, and a terminal's scrollback is no place for it.
 */
async function printProgram(programId: string, deps: ProgramDeps, values: { aws?: boolean; stage?: string }, out: Out) {
  const program = values.aws
    ? await syncOnAws(programId, deps, values.stage)
    : await deps.programs.getProgram(programId);
  if (!program) throw new ValidationFailed([{ field: 'programId', message: `no program "${programId}"` }]);
  const { usagePlan, ...rest } = shown(program);
  const view = {
    ...rest,
    throttle: program.throttle ?? DEFAULT_THROTTLE,
    ...(program.usagePlan && {
      usagePlan: { apiKeyId: program.usagePlan.apiKeyId, usagePlanId: program.usagePlan.usagePlanId },
    }),
  };
  out(view, JSON.stringify(view, null, 2));
  return 0;
}

const syncCommand = (programId: string, stage: string | undefined) =>
  `npm run --silent loyalty -- program sync ${programId} --aws${stage ? ` --stage ${stage}` : ''}`;

async function syncOnAws(programId: string, deps: ProgramDeps, stage: string | undefined) {
  try {
    return await syncUsagePlan(programId, { ...deps, usagePlans: await awsUsagePlans(stage) });
  } catch (err) {
    if (!(err instanceof UsagePlanSyncFailed)) throw err;
    // The table already has what was set: syncing again finishes the job.
    const retry = syncCommand(programId, stage);
    throw new Error(`${err.message}\nThe program's settings are stored; retry: ${retry}`, { cause: err });
  }
}

async function syncAfterCreate(
  programId: string,
  adminKey: string,
  deps: ProgramDeps,
  values: { stage?: string; json?: boolean },
): Promise<number> {
  try {
    const { usagePlan } = await syncUsagePlan(programId, { ...deps, usagePlans: await awsUsagePlans(values.stage) });
    const data = { programId, adminKey, usagePlanId: usagePlan?.usagePlanId };
    console.log(
      values.json
        ? JSON.stringify(data)
        : `Program ${programId} created, usage plan ${usagePlan?.usagePlanId}.\nAdmin key (shown once): ${adminKey}`,
    );
    return 0;
  } catch (err) {
    const reason = (err as Error).message;
    const data = { programId, adminKey, usagePlanId: null, error: reason };
    console.log(
      values.json ? JSON.stringify(data) : `Program ${programId} created.\nAdmin key (shown once): ${adminKey}`,
    );
    console.error(
      `error: ${reason}\nUntil it is synced, API Gateway refuses its requests (403 program-not-provisioned): run ` +
        syncCommand(programId, values.stage),
    );
    return 1;
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof DomainError) console.error(`error: ${err.message}`);
      else console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
