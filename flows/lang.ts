import { defineFlow } from '../src/engine/flow.js';

/** Ngôn ngữ: the two language buttons (the engine's `lang` command applies the choice). */
export const lang = defineFlow({
  id: 'lang',
  title: 'lang.title',
  available: (ctx) => ctx.identity.role !== null,
  render: async (ctx) => [
    { text: ctx.t('lang.choose'), choices: [{ payload: 'cmd|lang|vi', label: 'Tiếng Việt' }, { payload: 'cmd|lang|en', label: 'English' }] },
  ],
});
