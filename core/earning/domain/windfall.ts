// The windfall draw. It must be reproducible (a replayed purchase earns the same), auditable (the
// operator can recompute it) and unpredictable to callers: a partner choosing order ids must not be
// able to pick winners. So it is an HMAC-SHA256 of the identifying facts under a secret key the
// program holds (never shown by the API), rather than a random number or a hash of public inputs.
import { createHash, createHmac } from 'node:crypto';
import { parseDecimal, SCALE } from './arithmetic';

/** One of a program's windfall keys: an id recorded on every draw, and 32 secret bytes (base64url). */
export interface WindfallKey {
  id: string;
  secret: string;
}

/** Recorded on the breakdown line (roll, threshold, won and key id are stored; the rest is recomputable). */
export interface WindfallDraw {
  /** The exact string the HMAC is taken of: `windfall.v2|keyId|programId|subjectId|ruleId|version`. */
  input: string;
  /** Id of the key the draw was keyed with. */
  key: string;
  /** Hex HMAC-SHA256 of `input` under the key's secret. */
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
  key: WindfallKey;
}

function fromDigest(
  input: string,
  key: string,
  digest: Buffer,
  req: Pick<DrawRequest, 'probability' | 'minPoints' | 'maxPoints'>,
): WindfallDraw {
  const roll = Number(digest.readBigUInt64BE(0) % SCALE);
  const threshold = Number(parseDecimal(req.probability));
  const won = roll < threshold;
  const span = BigInt(req.maxPoints - req.minPoints + 1);
  const points = won ? req.minPoints + Number(digest.readBigUInt64BE(8) % span) : 0;
  return { input, key, hash: digest.toString('hex'), roll, threshold, won, points };
}

export function drawWindfall(req: DrawRequest): WindfallDraw {
  const input = ['windfall.v2', req.key.id, req.programId, req.subjectId, req.ruleId, String(req.version)].join('|');
  const digest = createHmac('sha256', Buffer.from(req.key.secret, 'base64url')).update(input, 'utf8').digest();
  return fromDigest(input, req.key.id, digest, req);
}

/**
 * A draw as it was made before draws were keyed (a plain SHA-256 of public inputs), so that lines
 * recorded then can still be audited. Never used to draw.
 */
export function legacyWindfallDraw(req: Omit<DrawRequest, 'key'>): WindfallDraw {
  const input = ['windfall.v1', req.programId, req.subjectId, req.ruleId, String(req.version)].join('|');
  return fromDigest(input, '', createHash('sha256').update(input, 'utf8').digest(), req);
}
