// Whether a user may run one Redis command line (Redis 7.0 ACLCheckAllUserCommandPerm): some
// selector must allow the command, every key it names with the rights the command's key specs
// say (read for "access", write for insert/update/delete), and every channel it names.
import { ErrorReply } from '../../protocol/resp/index.js';
import type { AclUser } from '../../security/acl-user.js';
import { KEY_READ, KEY_WRITE, type Denial, type Selector } from '../../security/acl-selector.js';
import type { AclCommand } from '../../security/acl-commands.js';
import { COMMAND_META } from './command-meta.js';
import { commandKeyRefs, hasKeySpecs, type KeyRef } from './key-specs.js';
import type { CommandContext, CommandSpec } from './types.js';
import type { AclLogReason } from '../../security/acl-log.js';
import { clientInfoLine } from './client.js';
import { isRedisClient, redisServer } from './services.js';

export interface AclDenial {
  reason: Denial;
  /** The argument that was refused (a key or channel), or 0 for the command. */
  pos: number;
}

/** What a command entry gives the check: its ACL id, name and key positions. */
export interface AclTarget {
  readonly fullName: string;
  readonly spec: CommandSpec;
  aclCommand: AclCommand | null;
}

/** Channel arguments, and whether they are patterns compared literally (PSUBSCRIBE). */
function channelArgs(fullName: string, argc: number): { from: number; to: number; literal: boolean } | null {
  switch (fullName) {
    case 'publish':
    case 'spublish':
      return { from: 1, to: Math.min(2, argc), literal: false };
    case 'subscribe':
    case 'ssubscribe':
      return { from: 1, to: argc, literal: false };
    case 'psubscribe':
      return { from: 1, to: argc, literal: true };
    default:
      return null;
  }
}

const RANK: Record<Denial, number> = { command: 1, key: 2, channel: 4 };

/** Null when `user` may run argv; else the denial Redis would log. */
export function aclCheck(user: AclUser, target: AclTarget, argv: readonly Buffer[]): AclDenial | null {
  const cmd = target.aclCommand;
  if (cmd === null) return null;
  let keys: KeyRef[] | null = null;
  const keysOf = (): KeyRef[] => (keys ??= hasKeys(target) ? commandKeyRefs(target.fullName, COMMAND_META[target.fullName], target.spec, argv) ?? [] : []);
  let worst: AclDenial = { reason: 'command', pos: 0 };
  for (const s of user.selectors) {
    const d = checkSelector(s, cmd, target.fullName, argv, keysOf);
    if (d === null) return null;
    if (RANK[d.reason] > RANK[worst.reason] || (d.reason === worst.reason && d.pos > worst.pos)) worst = d;
  }
  return worst;
}

function hasKeys(target: AclTarget): boolean {
  const meta = COMMAND_META[target.fullName];
  return meta?.keySpecs ? hasKeySpecs(meta) : target.spec.firstKey > 0;
}

function checkSelector(s: Selector, cmd: AclCommand, fullName: string, argv: readonly Buffer[], keysOf: () => KeyRef[]): AclDenial | null {
  if (!s.commandAllowed(cmd, argv)) return { reason: 'command', pos: 0 };
  if (!s.allKeys) {
    for (const k of keysOf()) {
      const need = (k.read ? KEY_READ : 0) | (k.write ? KEY_WRITE : 0);
      if (!s.keyAllowed(argv[k.pos]!.toString('latin1'), need)) return { reason: 'key', pos: k.pos };
    }
  }
  if (!s.allChannels) {
    const ch = channelArgs(fullName, argv.length);
    if (ch) {
      for (let j = ch.from; j < ch.to; j++) {
        if (!s.channelAllowed(argv[j]!.toString('latin1'), ch.literal)) return { reason: 'channel', pos: j };
      }
    }
  }
  return null;
}

/** processCommand's -NOPERM reply for a denial. */
export function nopermReply(d: AclDenial, fullName: string): ErrorReply {
  switch (d.reason) {
    case 'command':
      return new ErrorReply(`NOPERM this user has no permissions to run the '${fullName}' command`);
    case 'key':
      return NOPERM_KEY;
    case 'channel':
      return NOPERM_CHANNEL;
  }
}
const NOPERM_KEY = new ErrorReply('NOPERM this user has no permissions to access one of the keys used as arguments');
const NOPERM_CHANNEL = new ErrorReply('NOPERM this user has no permissions to access one of the channels used as arguments');

/** execCommand's reply for a queued command the rules no longer allow. */
export function execNopermReply(d: AclDenial): ErrorReply {
  const why = d.reason === 'command'
    ? 'no permission to execute the command or subcommand'
    : d.reason === 'key'
      ? 'no permission to touch the specified keys'
      : 'no permission to access one of the channels used as arguments';
  return new ErrorReply(`NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`);
}

/** ACL DRYRUN's text for a denial (a bulk string, not an error). */
export function dryrunText(d: AclDenial, fullName: string, argv: readonly Buffer[]): string {
  if (d.reason === 'command') return `This user has no permissions to run the '${fullName}' command`;
  return `This user has no permissions to access the '${argv[d.pos]!.toString('latin1')}' ${d.reason}`;
}

/** An ACL LOG entry for this client (addACLLogEntry); `username` defaults to the client's user. */
export function logAclDenial(ctx: CommandContext, reason: AclLogReason, object: string, username = ctx.client.user.name): void {
  const srv = redisServer(ctx);
  const h = srv.clients.byId(ctx.client.id);
  const info = h !== undefined && isRedisClient(h) ? clientInfoLine(h, Date.now()) : `id=${ctx.client.id} addr=${ctx.client.addr} laddr=${ctx.client.laddr}`;
  srv.acl.log.add({ reason, context: ctx.client.multi !== null ? 'multi' : 'toplevel', object, username, clientInfo: info });
}
