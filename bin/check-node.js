// Fails fast, with what to do, when the bins run on a Node other than 22: oclif 5, the Kubernetes client and
// the AWS SDK need >= 22, and tfjs-node (the worker's native backend) breaks on 23+. See docs/adr/0001.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `bacl needs Node 22; this is Node ${process.versions.node}.\n` +
      'Try this: npm run -s baclctl -- <args> in the bacl checkout (it uses the Node 22 from devDependencies), or install Node 22 LTS.\n',
  );
  process.exit(1);
}
if (major > 22 && !process.env.BACL_ALLOW_NODE_MAJOR) {
  process.stderr.write(
    `warning: bacl is built and tested on Node 22; this is Node ${process.versions.node} (tfjs-node breaks on 23+).\n`,
  );
}
