// A handler worker, thread or process: the project's TypeScript through the same module hooks as `npm start`
// (local/loader/hooks.mjs), then the host that runs the handlers (handler-worker-host.ts).
import { register } from 'node:module';

register('../loader/hooks.mjs', import.meta.url);
await import('./handler-worker-host.ts');
