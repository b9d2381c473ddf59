// The windfall draw. It must be reproducible (a replayed purchase earns the same), auditable (an
// operator can recompute it from the breakdown) and unguessable enough that members can't farm it
// from the outside, so it is a SHA-256 of the identifying facts rather than a random number.
import { createHash } from 'node:crypto';
import { parseDecimal, SCALE } from './arithmetic';

/** Recorded on the breakdown line so the draw can be recomputed from the line alone. */
export interface WindfallDraw {
  /** The exact string hashed: `windfall.v1|programId|subjectId|ruleId|version`. */
  input: string;
  /** Hex SHA-256 of `input`. */
  hash: string;
  /** First 8 bytes of the hash mod 10000: a win when below `threshold`. */
  roll: number;
  /** The probability in ten-thousandths ("0.05" -> 500). */
  threshold: number;
  won: boolean;
  /** minPoints + (bytes 8-15 of the hash mod (maxPoints - minPoints + 1)); 0 when lost. */
  points: number;
}

export interface DrawRequest {
  programId: string;
  /** orderId for a purchase, eventId for an engagement event. */
  subjectId: string;
  ruleId: string;
  version: number;
  probability: string;
  minPoints: number;
  maxPoints: number;
}

export function drawWindfall(req: DrawRequest): WindfallDraw {
  const input = ['windfall.v1', req.programId, req.subjectId, req.ruleId, String(req.version)].join('|');
  const digest = createHash('sha256').update(input, 'utf8').digest();
  const rollWord = digest.readBigUInt64BE(0);
  const amountWord = digest.readBigUInt64BE(8);
  const roll = Number(rollWord % SCALE);
  const threshold = Number(parseDecimal(req.probability));
  const won = roll < threshold;
  const span = BigInt(req.maxPoints - req.minPoints + 1);
  const points = won ? req.minPoints + Number(amountWord % span) : 0;
  return { input, hash: digest.toString('hex'), roll, threshold, won, points };
}
