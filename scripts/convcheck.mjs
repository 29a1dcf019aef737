#!/usr/bin/env node
// The `convcheck` bin: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
