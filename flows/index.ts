import type { Flow } from '../src/engine/flow.js';
import { indicators } from './indicators.js';
import { nomination } from './nomination.js';
import { onboarding } from './onboarding.js';
import { registration } from './registration.js';
import { missing, overview } from './staff.js';
import { help, language, status } from './status.js';

/** Every conversation, in menu order. */
export const allFlows: Flow[] = [onboarding, registration, indicators, nomination, status, overview, missing, help, language];
