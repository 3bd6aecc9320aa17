// Points node-gyp at Node's headers installed on this machine, so native dependencies
// (better-sqlite3) build on a machine that reaches only the package registry.
//
// better-sqlite3's install script first tries to download a prebuilt binary; where that fails it
// builds from source with node-gyp, and node-gyp downloads Node's headers from nodejs.org unless
// told where local ones are. npm's own `nodedir` setting is not passed to install scripts by pnpm 12,
// so this hook passes it as `npm_config_nodedir` in the scripts' environment.
//
// It does so only when headers for exactly the running Node version are present (Debian's
// nodejs-dev / a Node tarball's include/node), and never overrides a nodedir someone set. Anywhere
// else it changes nothing and prebuilt binaries download as usual.
const fs = require('node:fs');
const path = require('node:path');

function headersFor(prefix) {
  const file = path.join(prefix, 'include', 'node', 'node_version.h');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const part = (name) => text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
  return `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.versions.node;
}

function localNodeDir() {
  const candidates = [path.dirname(path.dirname(process.execPath)), '/usr', '/usr/local'];
  return candidates.find(headersFor);
}

module.exports = {
  hooks: {
    updateConfig(config) {
      if (process.env.npm_config_nodedir || config.extraEnv?.npm_config_nodedir) return config;
      const nodedir = localNodeDir();
      if (!nodedir) return config;
      return { ...config, extraEnv: { ...config.extraEnv, npm_config_nodedir: nodedir } };
    },
  },
};
