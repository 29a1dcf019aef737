// name is not a string.
export default { name: 42, conv: (p) => new Float32Array(p.batch) };
