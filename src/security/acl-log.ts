// ACL LOG (Redis 7.0 acl.c addACLLogEntry): the newest denials first, a repeat of one of the last
// ten within 60 s (same reason, context, object and user) counted on that entry instead of a new
// one, and at most acllog-max-len entries.

export type AclLogReason = 'command' | 'key' | 'channel' | 'auth';
export type AclLogContext = 'toplevel' | 'multi';

export interface AclLogEntry {
  count: number;
  reason: AclLogReason;
  context: AclLogContext;
  /** The command's full name, the key, the channel, or (auth) the command as sent. */
  object: string;
  username: string;
  /** Last update, ms since the epoch. */
  ctimeMs: number;
  /** CLIENT INFO of the last client that caused it. */
  clientInfo: string;
}

const GROUPING_MS = 60_000;
const SCAN = 10;

export class AclLog {
  /** Newest first. */
  readonly entries: AclLogEntry[] = [];

  constructor(private readonly maxLen: () => number) {}

  add(e: Omit<AclLogEntry, 'count' | 'ctimeMs'>, nowMs = Date.now()): void {
    const n = Math.min(SCAN, this.entries.length);
    for (let i = 0; i < n; i++) {
      const cur = this.entries[i]!;
      if (cur.reason === e.reason && cur.context === e.context && Math.abs(cur.ctimeMs - nowMs) <= GROUPING_MS &&
        cur.object === e.object && cur.username === e.username) {
        this.entries.splice(i, 1);
        this.entries.unshift(cur);
        cur.count++;
        cur.ctimeMs = nowMs;
        cur.clientInfo = e.clientInfo;
        return;
      }
    }
    this.entries.unshift({ ...e, count: 1, ctimeMs: nowMs });
    this.trim();
  }

  /** Drops the oldest past acllog-max-len (also when the setting is lowered). */
  trim(): void {
    const max = this.maxLen();
    if (this.entries.length > max) this.entries.length = Math.max(0, max);
  }

  reset(): void {
    this.entries.length = 0;
  }
}
