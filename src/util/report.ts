/**
 * Hands `args` to an error sink, if there is one, and swallows anything the sink throws: a failing reporter must
 * never stop the loop, informer or recorder that reports through it.
 */
export function reportTo<A extends unknown[]>(sink: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    sink?.(...args);
  } catch {
    // Dropped on purpose: the sink itself failed, and there is nowhere further to report to.
  }
}
