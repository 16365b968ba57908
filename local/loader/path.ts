// The module hooks' entry, for processes the local tools fork: `execArgv: ['--import', LOCAL_TYPESCRIPT_LOADER]`.
export const LOCAL_TYPESCRIPT_LOADER = new URL('./register.mjs', import.meta.url).href;
