// The floor's only activity: does nothing, so its cost is the engine's alone.
export const FLOOR_TASK_QUEUE = 'engine-floor';

export const floorActivities = {
  async noop(): Promise<void> {},
};
