// Runs the script of an actions/github-script@v8 step as that action does: the body of an async
// function of `require`, `github` (an Octokit from @actions/github for GITHUB_TOKEN, its API at
// GITHUB_API_URL), `context` (from the GITHUB_* variables and GITHUB_EVENT_PATH) and `core`
// (outputs to GITHUB_OUTPUT; a thrown error fails the step).
//
//   NODE_PATH=<node_modules> node github_script.js SCRIPT_FILE
const fs = require('fs');
const core = require('@actions/core');
const { context, getOctokit } = require('@actions/github');

const script = fs.readFileSync(process.argv[2], 'utf8');
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const step = new AsyncFunction('require', 'github', 'context', 'core', script);
step(require, getOctokit(process.env.GITHUB_TOKEN), context, core).catch((error) => {
  core.setFailed(`Unhandled error: ${error}`);
});
