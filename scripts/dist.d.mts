/** Types for scripts/dist.mjs (plain JS: it runs before anything is compiled). */
export declare const ROOT: string;
export declare function distPath(entry: string): string;
export declare function ensureDist(project?: string, entries?: string[]): boolean;
