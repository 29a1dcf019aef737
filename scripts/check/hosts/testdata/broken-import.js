// Imports a package that does not exist, so the module cannot load.
import 'convcheck-no-such-package';

export default { name: 'broken-import', conv: (p) => new Float32Array(p.batch) };
