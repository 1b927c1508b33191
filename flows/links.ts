import { flowLinkPayload } from '../src/engine/links.js';

/**
 * Every flow's id (sessions and buttons hold these; never rename one). Kept apart from
 * flows/index.ts so that flows and jobs can build links without importing every flow;
 * flows/index.ts checks at compile time that this list and the flows agree.
 */
export const FLOW_IDS = ['onboarding', 'register', 'report', 'nominate', 'status', 'overview', 'missing', 'export', 'people', 'history', 'review', 'invite', 'announce', 'help', 'lang', 'review_accept', 'review_return', 'bccancel', 'draft', 'web'] as const;

export type FlowId = (typeof FLOW_IDS)[number];

/** The payload of a button that starts `flowId` (with `arg`, like its slash command with that argument); a wrong id is a compile error. */
export const flowLink = (flowId: FlowId, arg?: string) => flowLinkPayload(flowId, arg);
