// The default export has no conv function.
export default { name: 'no-conv', convolve: (p) => new Float32Array(p.batch) };
