// Imports a package that does not exist: bundling must fail, naming it.
import missing from 'convcheck-no-such-package';

export default { name: 'unresolved', conv: missing };
