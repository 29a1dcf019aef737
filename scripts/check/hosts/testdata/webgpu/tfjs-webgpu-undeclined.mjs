// The tfjs-webgpu adapter without its supports(): it runs what the adapter declines,
// so a test sees the reason for a decline (tfjs-backend-webgpu's invalid 5-D shaders).
import adapter from '../../../../../impl/peers/browser/tfjs-webgpu.mjs';

export default { ...adapter, name: 'tfjs-webgpu-undeclined', supports: undefined };
