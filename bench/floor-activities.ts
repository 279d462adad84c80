/** The floor workflow's only activity: returns its input and does nothing else. */
export const floorActivities = {
  async benchNoop(input: { n: number }): Promise<{ n: number }> {
    return input;
  },
};
