// dtype is none of 'float32', 'float64', 'float16', 'bfloat16'.
export default { name: 'bad-dtype', dtype: 'int4', conv: (p) => new Float32Array(p.batch) };
