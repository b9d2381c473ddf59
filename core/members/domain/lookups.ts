// How members are found by an operator: exact member id, exact email, exact referral code. Emails are
// compared normalised (trimmed, lower-cased): "  Bob@Example.com" finds bob@example.com.

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What a search query may be, each tried exactly (no scans): the shapes it can take. */
export function queryShapes(query: string): { memberId: boolean; email: boolean; referralCode: boolean } {
  const q = query.trim();
  return {
    memberId: /^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/.test(q),
    email: q.includes('@'),
    referralCode: /^[0-9A-HJKMNP-TV-Z]{8}$/i.test(q),
  };
}
