/**
 * Rewrites the generated model files of fixtures/models/ from the builders in
 * scripts/fixtures/network-shapes.ts (AlexNet is hand-written and left alone).
 * A test (scripts/fixtures/networks.test.ts) keeps the committed files equal to the builders.
 *
 *   npx tsx scripts/maintainer/write-network-models.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_NETWORKS, modelFilePath, modelText } from '../fixtures/network-shapes.ts';

for (const network of GENERATED_NETWORKS) {
  writeFileSync(modelFilePath(network), modelText(network));
  process.stdout.write(`wrote ${join('fixtures/models', `${network}.json`)}\n`);
}
