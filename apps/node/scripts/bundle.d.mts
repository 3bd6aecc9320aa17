export function bundleIsFresh(): boolean;
export function stepsFileMatchesDataSet(stepsFile?: string, dataDir?: string): boolean;
export function buildBundle(): Promise<void>;
export function ensureBundle(): Promise<boolean>;
export const STEPS_FILE: string;
