/** Resolves on the first SIGINT or SIGTERM (the demo servers' way to stop). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((res) => {
    const on = (s: NodeJS.Signals) => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      res(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
