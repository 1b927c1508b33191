/**
 * Buttons that start a flow: `go|<flow>` (a menu entry) and `go|<flow>|<arg>` (a deep link,
 * e.g. "accept dossier n_5", which works like the flow's slash command with that argument).
 */
export const flowLinkPayload = (flowId: string, arg?: string) => (arg === undefined ? `go|${flowId}` : `go|${flowId}|${arg}`);

/** A deep link with an argument, or null. */
export function parseDeepLink(payload: string | undefined): { flowId: string; arg: string } | null {
  const m = payload ? /^go\|([a-z_]{1,30})\|([A-Za-z0-9_.:-]{1,40})$/.exec(payload) : null;
  return m ? { flowId: m[1]!, arg: m[2]! } : null;
}

/** The flow a menu button names (whatever follows `go|`), or undefined. */
export const parseMenuLink = (payload: string | undefined) => (payload?.startsWith('go|') ? payload.slice(3) : undefined);
