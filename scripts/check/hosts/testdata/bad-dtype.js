// dtype is neither 'float32' nor 'float64'.
export default { name: 'bad-dtype', dtype: 'float16', conv: (p) => new Float32Array(p.batch) };
