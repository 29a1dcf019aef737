// A browser-host fixture that breaks the kernel contract: an op method that is not a function.
export default { name: 'bad-method', conv: () => new Float32Array(0), convTranspose: 3 };
