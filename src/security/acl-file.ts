// The aclfile on disk: read for ACL LOAD and at start, written for ACL SAVE the way Redis does
// (a temporary file renamed over the old one), fsynced so a saved file survives a crash as the
// pool does.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The file's text, or Redis's error text when it cannot be opened. */
export function readAclFile(path: string): { text: string } | { error: string } {
  try {
    return { text: readFileSync(path, 'latin1') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { error: `Error loading ACLs, opening file '${path}': ${describeErrno(err)}` };
  }
}

/** Writes `text` to path atomically and durably; throws the I/O error. */
export function writeAclFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, Buffer.from(text, 'latin1'));
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or renamed */
    }
    throw e;
  }
  // The rename itself is durable once the directory is.
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** strerror-like text: "No such file or directory". */
function describeErrno(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z]+: ([^,]+),/.exec(e.message);
  const text = m ? m[1]! : e.message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
