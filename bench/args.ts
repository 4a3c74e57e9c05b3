// Command-line options of the bench, soak and fuzz scripts: `--name value`.
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
