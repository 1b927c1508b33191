export type { Identity } from '../src/domain/entities.js';
export type { IndividualKind as IndividualKindT } from '../src/domain/levels.js';
