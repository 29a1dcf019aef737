/**
 * The browser host's parts that need no browser: the static server's path
 * rule and the refusals before Chromium starts. The tests that launch Chromium
 * are in browser-host.browser.test.ts (`npm run test:browser`), so the quick
 * tier stays fast and never depends on a browser starting under load.
 */
import { describe, expect, it } from 'vitest';
import { BROWSER_INSTALL_HINT, openBrowserHost } from './browser-host.ts';
import { fileUnder } from './browser-server.ts';
import { WEBGPU_EXAMPLE } from './browser-testing.ts';
import { testdata } from './testing.ts';
import { HostStartError } from './types.ts';

describe('browser server', () => {
  it('serves files under the module directory and nothing outside it', () => {
    expect(fileUnder('/k', 'lib/a.mjs')).toBe('/k/lib/a.mjs');
    for (const outside of ['../etc/passwd', '%2e%2e/x', '/etc/passwd', '..%2fx', '%zz']) {
      expect(fileUnder('/k', outside)).toBeUndefined();
    }
  });
});

describe('browser host without Chromium', () => {
  it('refuses to start with the install instructions', async () => {
    const opening = openBrowserHost(WEBGPU_EXAMPLE, { executablePath: '/no/such/chromium' });
    await expect(opening).rejects.toBeInstanceOf(HostStartError);
    await expect(opening).rejects.toThrow(BROWSER_INSTALL_HINT);
  });

  it('refuses a TypeScript module (the page cannot load it)', async () => {
    await expect(openBrowserHost(testdata('good-kernel-f64.ts'))).rejects.toThrow(/\.js or \.mjs/);
  });
});
