// Entry point of the module host's child process. It registers tsx first, so
// that both the kernel module and the harness code it runs may be TypeScript,
// then hands over to module-child.ts.
import { register } from 'tsx/esm/api';

register();
await import('./module-child.ts');
