// Entry point of the module host's child process. It registers tsx first, so
// that the kernel module may be TypeScript, then hands over to module-child:
// the compiled module-child.js beside this file in the built package (dist/),
// module-child.ts in the source tree. The build copies this file into dist/.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const compiled = new URL('./module-child.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : './module-child.ts');
