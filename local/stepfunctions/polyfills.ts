/**
 * Side-effect module: polyfills that aws-local-stepfunctions 3.x needs on Node 20.
 *
 * The library targets Node >= 22 and calls `Promise.withResolvers()` in every Task state
 * (ES2024, Node 22+). On Node 20 that throws `Promise.withResolvers is not a function`.
 * Import this module before the library: `import './polyfills.js';`
 * It is idempotent and leaves a native implementation alone.
 */

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const PromiseCtor = Promise as unknown as { withResolvers?: WithResolvers };

if (typeof PromiseCtor.withResolvers !== 'function') {
  PromiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** No-op, for code that prefers an explicit call over a bare side-effect import. */
export function installPolyfills(): void {}
