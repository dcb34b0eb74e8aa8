export async function runUpgrade(_ctx: unknown): Promise<void> {
  throw new Error('upgrade: not built yet');
}
