/**
 * Wraps a dynamic `import()` so it runs on the first call only and every caller shares its
 * promise. A failed load is forgotten, so a later call tries again instead of replaying the
 * error for the life of the process.
 *
 * @example
 * const loadBcrypt = loadOnce(() => import("bcryptjs"));
 * const { hash } = await loadBcrypt();
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
