import { fromRoot } from '../../paths.js';

/**
 * Be Vietnam Pro (SIL OFL 1.1, assets/fonts/OFL.txt): every Vietnamese letter with its
 * diacritics. Shipped in the repository and the only font the renderer loads, so a chart
 * looks the same on every host.
 */
export const FONT_FAMILY = 'Be Vietnam Pro';
export const FONT_FILES = [fromRoot('assets', 'fonts', 'BeVietnamPro-Regular.ttf'), fromRoot('assets', 'fonts', 'BeVietnamPro-Bold.ttf')];
