/** The floor's one activity: returns at once (no I/O), so only the SDK and the server are measured. */
export function floorStep(): Promise<{ ok: true }> {
  return Promise.resolve({ ok: true });
}
