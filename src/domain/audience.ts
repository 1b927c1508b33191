import type { Channel } from './entities.js';
import type { UnitLevel } from './levels.js';

/** Who an admin's announcement goes to (joined chat accounts). */
export type Audience =
  | { kind: 'all' }
  | { kind: 'level'; level: UnitLevel }
  | { kind: 'office'; unitId: string }
  | { kind: 'channel'; channel: Channel }
  | { kind: 'staff' };
