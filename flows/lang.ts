import { defineFlow } from '../src/engine/flow.js';
import { hasJoined } from '../src/domain/roles.js';
import { may } from './lib/access.js';

/** Ngôn ngữ: the two language buttons (the engine's `lang` command applies the choice). */
export const lang = defineFlow({
  id: 'lang',
  title: 'lang.title',
  available: may(hasJoined),
  render: async (ctx) => [
    { text: ctx.t('lang.choose'), choices: [{ payload: 'cmd|lang|vi', label: 'Tiếng Việt' }, { payload: 'cmd|lang|en', label: 'English' }] },
  ],
});
