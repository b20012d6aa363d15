import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ENTRY = new URL('./agent-main.ts', import.meta.url).pathname;
/** Beside the repository's packages, so the bundle's imports of them resolve as the sources' do. */
const OUTFILE = new URL('../../../node_modules/.cache/orch-lab/node-agent.mjs', import.meta.url).pathname;

/**
 * A module's import.meta.url stays the URL of its source file, so code that finds files beside
 * itself (the lab images' sources, protobuf schemas) finds them from inside the bundle too.
 */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

let bundled: Promise<string> | undefined;

/**
 * agentBundle compiles the node agent (agent-main.ts and what it imports, packages left out) into
 * one JavaScript file, once per process, and answers its path. The process provider runs node
 * agents from it instead of `orch-lab node-agent`: the same code, but without tsx compiling it in
 * every agent, which halves an agent's memory and start-up time.
 */
export function agentBundle(): Promise<string> {
  bundled ??= (async () => {
    const result = await build({
      entryPoints: [ENTRY],
      outfile: OUTFILE,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      plugins: [sourceUrls],
      logLevel: 'silent',
    });
    // Another orch-lab process may be starting an agent from the file: replace it whole.
    await mkdir(dirname(OUTFILE), { recursive: true });
    const temp = `${OUTFILE}.${process.pid}.tmp`;
    await writeFile(temp, result.outputFiles[0]!.contents);
    await rename(temp, OUTFILE);
    return OUTFILE;
  })();
  return bundled;
}
