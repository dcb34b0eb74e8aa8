export function ensureTools(): { helm3: string; helm4: string; kubectl: string };
export function cacheRoot(): string;
