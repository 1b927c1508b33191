import { announce } from './announce.js';
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
] as const;

/** The id of a flow (sessions and buttons hold these): `flowLink` in src/engine/links.ts takes only these. */
export type FlowId = (typeof allFlows)[number]['id'];
