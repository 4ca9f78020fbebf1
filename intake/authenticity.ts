/**
 * Is a reply really from the address in its From header? The school chooses how hard to check
 * (config `mail.authentication.policy`):
 * - `token`: the per-recipient reply token (checked by the caller) is all;
 * - `dkim`: the message itself must pass DMARC for the From domain (DKIM-aligned), verified here with
 *   mailauth against DNS;
 * - `authserv`: the school's own mail server already checked and wrote `Authentication-Results`; we
 *   trust only headers carrying one of its authserv-ids, and require `dmarc=pass` (or an aligned
 *   `dkim=pass`).
 */
import { authenticate } from 'mailauth';

export type Authenticity = { ok: true; method: string } | { ok: false; problem: string };

export interface AuthenticityOptions {
  policy: 'token' | 'dkim' | 'authserv';
  trustedAuthservIds: readonly string[];
  /** DNS for DKIM/DMARC (tests give their own); defaults to the system resolver. */
  resolver?: (name: string, rrtype: string) => Promise<string[] | string[][]>;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
/** Relaxed alignment: the same domain, or one a subdomain of the other's organisational domain (approximated by suffix). */
const aligned = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/** Header fields named `name`, unfolded, in order (top first). */
export function headerValues(raw: Buffer, name: string): string[] {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? text.slice(0, end) : text).replace(/\r?\n[ \t]+/g, ' ');
  const prefix = `${name.toLowerCase()}:`;
  return block
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length).trim());
}

export function checkAuthenticationResults(raw: Buffer, from: string, trusted: readonly string[]): Authenticity {
  const fromDomain = domainOf(from);
  const ids = trusted.map((t) => t.toLowerCase());
  for (const value of headerValues(raw, 'Authentication-Results')) {
    const authservId = value.split(';')[0]?.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (!ids.includes(authservId)) continue;
    const dmarc = /\bdmarc=([a-z]+)/i.exec(value)?.[1]?.toLowerCase();
    if (dmarc === 'pass') return { ok: true, method: `authserv ${authservId} dmarc=pass` };
    const dkimPass = [...value.matchAll(/\bdkim=pass\b[^;]*?header\.(?:d|i)=@?([a-z0-9.-]+)/gi)].some((m) => aligned(m[1]!.toLowerCase(), fromDomain));
    if (dkimPass) return { ok: true, method: `authserv ${authservId} dkim=pass` };
    return { ok: false, problem: `${authservId} reports dmarc=${dmarc ?? 'none'} for ${fromDomain}` };
  }
  return { ok: false, problem: `no Authentication-Results from a trusted server (${trusted.join(', ') || 'none configured'})` };
}

export async function checkDmarc(raw: Buffer, from: string, resolver?: AuthenticityOptions['resolver']): Promise<Authenticity> {
  const fromDomain = domainOf(from);
  let result: Awaited<ReturnType<typeof authenticate>>;
  try {
    result = await authenticate(raw, { trustReceived: true, disableArc: true, disableBimi: true, ...(resolver ? { resolver } : {}) });
  } catch (err) {
    return { ok: false, problem: `authentication check failed: ${(err as Error).message}` };
  }
  const dmarc = result.dmarc as { status?: { result?: string }; domain?: string } | false | undefined;
  const status = dmarc ? dmarc.status?.result : undefined;
  if (status === 'pass') return { ok: true, method: 'dmarc=pass' };
  return { ok: false, problem: `DMARC ${status ?? 'none'} for ${fromDomain}` };
}

/** The policy's verdict on where this message came from. */
export async function checkSender(raw: Buffer, from: string, options: AuthenticityOptions): Promise<Authenticity> {
  switch (options.policy) {
    case 'token':
      return { ok: true, method: 'token' };
    case 'dkim':
      return checkDmarc(raw, from, options.resolver);
    case 'authserv':
      return checkAuthenticationResults(raw, from, options.trustedAuthservIds);
  }
}
