// A browser-host fixture with the quantized contract's methods: the page lists them but
// does not run them (convcheck check reports their phases as SKIP, saying why).
export default {
  name: 'int8-methods',
  conv: () => new Float32Array(0),
  convInteger: () => new Int32Array(0),
  qlinearConv: () => new Uint8Array(0),
};
