import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { dossierNumber } from './lib/dossier.js';
import { beginDecision, decide, decisionSchema, decisionWho } from './lib/review.js';

/** The decision's facts and the reason, sent to the officer word for word. */
const schema = decisionSchema.extend({ reason: z.string() });

/** Trả lại hồ sơ: a reason (sent to the officer word for word), then confirm. */
export const reviewReturn = defineFlow({
  id: 'review_return',
  title: 'review_return.title',
  hidden: true,
  available: may(isReviewer),
  schema,
  begin: beginDecision,
  steps: () => [
    {
      kind: 'text',
      id: 'reason',
      max: 1000,
      prompt: (c, d) => c.t('review_return.reason_prompt', { number: dossierNumber({ id: String(d.id) }) }),
      summary: (c, d) => c.t('review_return.reason_line', { reason: String(d.reason) }),
    },
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c, d) => c.t('review_return.confirm', { number: dossierNumber({ id: String(d.id) }), who: decisionWho(d) }),
      actions: (c) => [
        { id: 'return', label: c.t('review_return.action_confirm') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  complete: (ctx, d) => decide(ctx, d, 'returned'),
});
