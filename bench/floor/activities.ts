// The floor's only activity: does nothing, so its cost is the engine's alone.
export const floorActivities = {
  async noop(): Promise<void> {},
};
