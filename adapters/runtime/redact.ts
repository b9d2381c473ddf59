// What log lines must never carry: API keys, coupon codes (bearer secrets: whoever has one can
// spend it) and members' email addresses (personal data; member ids may be emails too). A JSON
// replacer applied to every log line, whatever logged it.

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const API_KEY = /\blk_[A-Za-z0-9_-]{16,}/g;
/** Fields whose value is a secret or an address whatever it looks like. */
const SECRET_FIELDS = new Set(['code', 'apikey', 'x-api-key', 'authorization', 'email', 'tasktoken', 'secret']);

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(API_KEY, REDACTED).replace(EMAIL, REDACTED);
}

/** JSON.stringify replacer: secret fields out, emails and API keys out of every string. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (SECRET_FIELDS.has(key.toLowerCase()) && value !== null && value !== undefined) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
