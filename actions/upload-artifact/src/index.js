// Offline stand-in for actions/upload-artifact@v4: the same inputs (name, path,
// if-no-files-found, retention-days, compression-level, overwrite), the same upload library
// (@actions/artifact v2, bundled), so act's artifact server receives what GitHub's would.
const core = require('@actions/core');
const { DefaultArtifactClient } = require('@actions/artifact');
const fs = require('fs');
const path = require('path');

function listFiles(patterns) {
  const files = [];
  const walk = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const entry of fs.readdirSync(p)) walk(path.join(p, entry));
    } else {
      files.push(path.resolve(p));
    }
  };
  for (const pattern of patterns) {
    if (fs.existsSync(pattern)) walk(pattern);
  }
  return files;
}

function commonRoot(files, patterns) {
  if (patterns.length === 1 && fs.existsSync(patterns[0]) && fs.statSync(patterns[0]).isDirectory()) {
    return path.resolve(patterns[0]);
  }
  let root = path.dirname(files[0]);
  for (const f of files) {
    while (!f.startsWith(root + path.sep) && root !== path.dirname(root)) root = path.dirname(root);
  }
  return root;
}

async function run() {
  const name = core.getInput('name') || 'artifact';
  const patterns = core.getMultilineInput('path', { required: true });
  const ifNone = core.getInput('if-no-files-found') || 'warn';
  const files = listFiles(patterns);
  if (files.length === 0) {
    const msg = `No files were found with the provided path: ${patterns.join(', ')}. No artifacts will be uploaded.`;
    if (ifNone === 'error') return core.setFailed(msg);
    if (ifNone === 'warn') core.warning(msg); else core.info(msg);
    return;
  }
  const options = {};
  const days = core.getInput('retention-days');
  if (days) options.retentionDays = parseInt(days, 10);
  const level = core.getInput('compression-level');
  if (level) options.compressionLevel = parseInt(level, 10);
  const client = new DefaultArtifactClient();
  const result = await client.uploadArtifact(name, files, commonRoot(files, patterns), options);
  core.info(`Artifact ${name} uploaded: id ${result.id}, ${result.size} bytes`);
  core.setOutput('artifact-id', String(result.id));
}

run().catch((err) => core.setFailed(err.message));
