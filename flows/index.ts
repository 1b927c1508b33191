import type { FlowId } from './links.js';
import { announce } from './announce.js';
import { draft } from './draft.js';
import { bccancel } from './bccancel.js';
import { exportFlow } from './export.js';
import { help } from './help.js';
import { history } from './history.js';
import { invite } from './invite.js';
import { lang } from './lang.js';
import { missing } from './missing.js';
import { nominate } from './nominate.js';
import { onboarding } from './onboarding.js';
import { overview } from './overview.js';
import { people } from './people.js';
import { register } from './register.js';
import { report } from './report.js';
import { review } from './review.js';
import { reviewAccept } from './review_accept.js';
import { reviewReturn } from './review_return.js';
import { status } from './status.js';
import { web } from './web.js';

/** Every conversation, in menu order; each lives in flows/<its id>.ts. */
export const allFlows = [
  onboarding,
  register,
  report,
  nominate,
  status,
  overview,
  missing,
  exportFlow,
  web,
  people,
  history,
  review,
  invite,
  announce,
  help,
  lang,
  reviewAccept,
  reviewReturn,
  bccancel,
  draft,
] as const;

export type { FlowId } from './links.js';

// FLOW_IDS (flows/links.ts) names exactly these flows: a compile error otherwise.
type Ids = (typeof allFlows)[number]['id'];
export const flowIdsAgree: [Ids] extends [FlowId] ? ([FlowId] extends [Ids] ? true : never) : never = true;
