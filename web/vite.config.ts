// Builds the UI to static files for `evidex serve --web-root`. The output directory comes from
// EVIDEX_WEB_OUT (CMake passes ${CMAKE_BINARY_DIR}/web-ui) and defaults to web/dist. It holds
// nothing but the UI and is emptied before each build.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: process.env.EVIDEX_WEB_OUT || 'dist',
    emptyOutDir: true,
    // No inline polyfill script: the server's CSP allows script-src 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
