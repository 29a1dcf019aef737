// Throws on every case.
export default {
  name: 'throws',
  conv() {
    throw new RangeError('kernel exploded');
  },
};
