// Secrets we must use later but never show again (a connector's signing secret, a webhook
// endpoint's secret) are sealed at rest: encrypted, bound to a context (program and owner), so a
// sealed value copied to another item does not open. On AWS the seal is a KMS key; locally the
// same code with a local key (adapters/secrets).

/** What a sealed secret is bound to: opening it with another context fails. */
export type SecretContext = Readonly<Record<string, string>>;

export interface SecretBox {
  /** The sealed form, a printable string safe to store. */
  seal(plaintext: string, context: SecretContext): Promise<string>;
  /** The plaintext; throws when the sealed value or the context was tampered with. */
  open(sealed: string, context: SecretContext): Promise<string>;
}

/** The context in one canonical form (sorted keys), for AAD and KMS encryption contexts alike. */
export function canonicalContext(context: SecretContext): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
}
