import type { Flow } from '../src/engine/flow.js';
import { announce, announceCancel } from './announce.js';
import { exportFlow } from './export.js';
import { indicators } from './indicators.js';
import { nomination } from './nomination.js';
import { onboarding } from './onboarding.js';
import { dossierHistory, people } from './people.js';
import { registration } from './registration.js';
import { invite } from './invite.js';
import { review, reviewAccept, reviewReturn } from './review.js';
import { missing, overview } from './staff.js';
import { help, language, status } from './status.js';

/** Every conversation, in menu order. */
export const allFlows: Flow[] = [onboarding, registration, indicators, nomination, status, overview, missing, exportFlow, people, dossierHistory, review, invite, announce, help, language, reviewAccept, reviewReturn, announceCancel];
