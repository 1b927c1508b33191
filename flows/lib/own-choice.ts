import type { FlowContext } from '../../src/engine/flow.js';
import { planSays, type Provenance } from '../../src/campaign/schema.js';

/**
 * What follows a value the plan is silent on (no quote from it) where it is stated to a
 * user: "; theo hướng dẫn của cơ quan thường trực" — the campaign's own choice, never
 * shown as if the plan said it. '' for a value the plan states.
 */
export const ownChoiceNote = (ctx: Pick<FlowContext, 't'>, source: Provenance): string => (planSays(source) ? '' : ctx.t('campaign.own_choice_note'));
