// A kernel-shaped module with a bare import, a relative TypeScript import and an
// asset imported as a URL: what browser-bundle.ts must make loadable by the page.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import blobUrl from './blob.bin';
import { twice } from './helper.ts';

export default {
  name: 'bare-import',
  blobUrl,
  sample: twice(fc.sample(fc.constant(21), 1)[0]),
  // Stays a dynamic import (never bundled, never resolved): it is not even installed.
  later: () => import('convcheck-not-installed-either'),
  // A Node built-in is an empty module in the page: importing works, using it does not.
  nodeOnly: () => readFileSync('/etc/hostname'),
  conv() {},
};
