export async function runInit(_ctx: unknown): Promise<void> {
  throw new Error('init: not built yet');
}
