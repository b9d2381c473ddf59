import { describe, expect, it } from 'vitest';
import { REDACTED, redactingReplacer, redactText } from '../../adapters/runtime/redact';

describe('log redaction', () => {
  it('takes email addresses and API keys out of any text', () => {
    const text = redactText('No member "eve@example.com" for key lk_AbCdEfGhIjKlMnOpQrStUvWxYz012345');
    expect(text).toBe(`No member "${REDACTED}" for key ${REDACTED}`);
  });

  it('blanks fields that hold a secret or an address, whatever their value looks like', () => {
    const line = JSON.parse(
      JSON.stringify(
        { code: 'CAFE-482VM-RJYXW', headers: { 'x-api-key': 'anything', Email: 'x' }, points: 10 },
        redactingReplacer,
      ),
    );
    expect(line).toEqual({ code: REDACTED, headers: { 'x-api-key': REDACTED, Email: REDACTED }, points: 10 });
  });

  it('leaves everything else as it is', () => {
    expect(JSON.parse(JSON.stringify({ memberId: 'alice', message: 'request rejected' }, redactingReplacer))).toEqual({
      memberId: 'alice',
      message: 'request rejected',
    });
  });
});
