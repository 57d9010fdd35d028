/** A Node-style errno error, as fs calls throw them, for backend test doubles. */
export function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}
