// `node --import ./local/loader/register.mjs file.ts`: runs the project's TypeScript (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
