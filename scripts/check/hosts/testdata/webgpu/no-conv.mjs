// A browser-host fixture that breaks the kernel contract: no conv function.
export default { name: 'no-conv' };
