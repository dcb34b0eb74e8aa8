export async function runStatus(_ctx: unknown): Promise<void> {
  throw new Error('status: not built yet');
}
