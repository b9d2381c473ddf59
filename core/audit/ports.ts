import type { Page } from '../kernel/page';
import type { WriteRecord } from '../ledger/ports';
import type { AuditEntry } from './domain/audit';

/** An audit entry written in the same transaction as the change it records (adjustments, erasure). */
export interface AuditRecorded extends WriteRecord {
  kind: 'audit-recorded';
  entry: AuditEntry;
}

export interface AuditQuery {
  /** Inclusive bounds on `at`. */
  from?: string;
  to?: string;
  /** Only the entries of this key. */
  actor?: string;
  limit: number;
  cursor: string | null;
}

/** A program's audit log, newest first. */
export interface AuditStore {
  /** An entry on its own (after the change committed, for the writes this context does not own). */
  append(programId: string, entry: AuditEntry): Promise<void>;
  list(programId: string, query: AuditQuery): Promise<Page<AuditEntry>>;
}
