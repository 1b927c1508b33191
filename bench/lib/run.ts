/** Runs a benchmark's main: exit 0 when it ends, 1 with the error printed when it throws (servers it left open do not keep the process alive). */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
