// Keeps the process's JSON and Array builtins native while the handlers load. On AWS each function has a
// process of its own; locally they share one, and pdfjs-dist's legacy build (the document handlers) replaces
// JSON.parse, JSON.stringify and Array.prototype.push with core-js versions on Node 20 (it lacks JSON.rawJSON),
// which then slowed every other function, emulator and SDK call of the stack: about a tenth of its CPU per
// message in issue 13's profile. The methods core-js only adds stay; pdfjs-dist works with the natives.

type Slot = [owner: object, key: PropertyKey];

/** Builtins core-js is known to replace rather than add to; the methods it only adds are left in place. */
const GUARDED: Slot[] = [
  [JSON, 'parse'],
  [JSON, 'stringify'],
  [Array.prototype, 'push'],
  [Function.prototype, 'toString'],
];

/** Runs `load`, then puts back any guarded builtin it replaced, even when it fails; answers with the names of those it restored. */
export async function loadKeepingNativeBuiltins(load: () => Promise<void>): Promise<string[]> {
  const saved = GUARDED.map(([owner, key]) => ({ owner, key, descriptor: Object.getOwnPropertyDescriptor(owner, key) }));
  let replaced: typeof saved = [];
  try {
    await load();
  } finally {
    // No call to a replaced builtin (such as push) before all are back.
    replaced = saved.filter(({ owner, key, descriptor }) => descriptor && Object.getOwnPropertyDescriptor(owner, key)?.value !== descriptor.value);
    for (const { owner, key, descriptor } of replaced) Object.defineProperty(owner, key, descriptor as PropertyDescriptor);
  }
  return replaced.map(({ key }) => String(key));
}
