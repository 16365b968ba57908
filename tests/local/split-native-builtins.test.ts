// The stack keeps JSON and Array builtins native while handlers that bring core-js polyfills load.
import { loadKeepingNativeBuiltins } from '../../local/native-builtins.js';

describe('loadKeepingNativeBuiltins', () => {
  it('puts back the builtins a loader replaced and names them', async () => {
    const nativeParse = JSON.parse;
    const nativePush = Array.prototype.push;
    const restored = await loadKeepingNativeBuiltins(async () => {
      JSON.parse = (text: string) => ({ replaced: text });
      Array.prototype.push = function replacedPush() {
        return -1;
      };
    });
    expect(restored.sort()).toEqual(['parse', 'push']);
    expect(JSON.parse).toBe(nativeParse);
    expect(Array.prototype.push).toBe(nativePush);
    expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
    expect([1].push(2)).toBe(2);
  });

  it('leaves alone what the loader only added, and restores nothing when nothing was replaced', async () => {
    const added = Symbol('added by a polyfill');
    const restored = await loadKeepingNativeBuiltins(async () => {
      Object.defineProperty(JSON, added, { value: 'kept', configurable: true });
    });
    expect(restored).toEqual([]);
    expect((JSON as unknown as Record<symbol, string>)[added]).toBe('kept');
    delete (JSON as unknown as Record<symbol, string>)[added];
  });

  it('restores even a builtin replaced with a getter', async () => {
    const nativeStringify = JSON.stringify;
    await loadKeepingNativeBuiltins(async () => {
      Object.defineProperty(JSON, 'stringify', { get: () => () => 'replaced', configurable: true });
    });
    expect(JSON.stringify).toBe(nativeStringify);
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
  });
});

describe('loadKeepingNativeBuiltins when the loader fails', () => {
  it('still restores the builtins and passes the error on', async () => {
    const nativeParse = JSON.parse;
    await expect(
      loadKeepingNativeBuiltins(async () => {
        JSON.parse = () => 'replaced';
        throw new Error('a handler failed to load');
      }),
    ).rejects.toThrow('a handler failed to load');
    expect(JSON.parse).toBe(nativeParse);
  });
});
