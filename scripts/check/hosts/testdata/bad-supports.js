// supports() misbehaves by rank: 1-D throws, 2-D returns 42, 3-D declines properly.
export default {
  name: 'bad-supports',
  supports(p) {
    const rank = p.inputSize.length;
    if (rank === 1) throw new Error('supports exploded');
    if (rank === 2) return 42;
    return 'no 3-D';
  },
  conv: (p) => new Float32Array(p.batch),
};
