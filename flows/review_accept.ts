import { defineFlow } from '../src/engine/flow.js';
import { isReviewer } from '../src/domain/roles.js';
import { may } from './lib/access.js';
import { dossierNumber } from './lib/dossier.js';
import { beginDecision, decide, decisionSchema, decisionWho } from './lib/review.js';

/** Chấp nhận hồ sơ: started by the button under a dossier (`go|review_accept|n_12`). */
export const reviewAccept = defineFlow({
  id: 'review_accept',
  title: 'review_accept.title',
  hidden: true,
  available: may(isReviewer),
  schema: decisionSchema,
  begin: beginDecision,
  steps: () => [
    {
      kind: 'confirm',
      id: 'confirm',
      prompt: (c, d) => c.t('review_accept.confirm', { number: dossierNumber({ id: String(d.id) }), who: decisionWho(d) }),
      extra: (c, d) => (d.missing ? c.t('review.incomplete_warning', { parts: d.missing }) : null),
      actions: (c) => [
        { id: 'accept', label: c.t('review.action_accept') },
        { id: 'cancel', label: c.t('confirm.cancel') },
      ],
    },
  ],
  complete: (ctx, d) => decide(ctx, d, 'accepted'),
});
