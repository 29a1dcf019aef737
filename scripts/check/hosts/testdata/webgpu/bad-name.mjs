// A browser-host fixture that breaks the kernel contract: a name that is not a string.
export default { name: 42, conv: () => new Float32Array(0) };
